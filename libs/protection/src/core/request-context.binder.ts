import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { AppScan } from './app-scan';
import { asyncContextDemand } from './async-context';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { RequestContext, requestIdOf } from './request-context';

type Done = (err?: Error) => void;
type Hook = (req: ProtectionRequest, reply: ProtectionResponse, done: Done) => void;

interface FastifyLike {
  addHook(name: 'onRequest' | 'preHandler', hook: Hook): void;
}

/** Services whose injection means the app reads the request context without a request. */
const CONTEXT_READERS = new Set<string>(['TerminalService', 'RighterService']);

/**
 * Installs the per-request work every route pays: the request id echo (terminal info on) and,
 * only when the app needs it, entering AsyncLocalStorage (see core/async-context.ts). On
 * Fastify the context is entered in `preHandler`, after the body is parsed, so it is not lost
 * across the body stream's callbacks; guards, interceptors, handler and services all run
 * inside it. On Express a middleware does it after Nest's body parsers.
 */
@Injectable()
export class RequestContextBinder implements OnModuleInit {
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  private decided: boolean | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly scan: AppScan,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {}

  /** Whether the app runs on Fastify (Express gets the middleware instead). */
  isFastify(): boolean {
    return this.adapterHost.httpAdapter?.getType() === 'fastify';
  }

  /** Whether requests are entered into AsyncLocalStorage (decided once, at boot). */
  usesAsyncContext(): boolean {
    if (this.decided === undefined) {
      const setting = this.options.asyncContext;
      const reasons = setting === 'auto' ? this.contextReaders() : [];
      this.decided = setting === true || reasons.length > 0;
      // Said only when it is on: an app that reads nothing hears nothing.
      if (setting === 'auto' && this.decided) {
        this.logger.log(`Request context in AsyncLocalStorage: on (used by ${reasons.slice(0, 5).join(', ')})`);
      }
    }
    return this.decided;
  }

  /** Whether Express needs the middleware at all. */
  needsMiddleware(): boolean {
    return this.usesAsyncContext();
  }

  onModuleInit(): void {
    const options = this.options;
    const echo = options.terminal?.requestIdHeader;
    if (this.isFastify()) {
      const instance = this.adapterHost.httpAdapter.getInstance<FastifyLike>();
      if (echo) {
        // In Fastify's own reply headers: Node then writes them straight from that object. A raw
        // setHeader instead would send every header of the response through Node's merge path
        // in writeHead (a dictionary object and a case conversion per header, on every request).
        instance.addHook('onRequest', (req, reply, done) => {
          (reply as { header(name: string, value: string): unknown }).header(echo, requestIdOf(req, echo));
          done();
        });
      }
      if (this.usesAsyncContext()) {
        instance.addHook('preHandler', (req, reply, done) => {
          RequestContext.run(RequestContext.of(req, reply, options), done);
        });
      }
      return;
    }
    // Express: on the Node response, ahead of the framework, so every answer carries it (404s,
    // errors, refusals); Express sets its own headers the same way. OverloadService does it in
    // its own listener; without overload protection a listener of its own does.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (echo && !options.overload && server) {
      server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        res.setHeader(echo, requestIdOf(req, echo));
      });
    }
  }

  /**
   * What in the app reads the context from AsyncLocalStorage: classes injecting a service that
   * does, and methods marked by `demandAsyncContext` (e.g. `@Righter(false)`).
   */
  private contextReaders(): string[] {
    const found: string[] = [];
    for (const c of this.scan.classes()) {
      const readers = c.injects.filter((name) => CONTEXT_READERS.has(name));
      if (readers.length) found.push(`${c.type.name} (injects ${readers.join(', ')})`);
    }
    for (const m of this.scan.methods()) {
      const reason = asyncContextDemand(m.fn);
      if (reason) found.push(`${reason} on ${m.label}`);
    }
    return found;
  }
}

/** Enters the request context on Express, after Nest's body parsers (registered only when used). */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  use(req: ProtectionRequest, res: ProtectionResponse, next: () => void): void {
    RequestContext.run(RequestContext.of(req, res, this.options), next);
  }
}
