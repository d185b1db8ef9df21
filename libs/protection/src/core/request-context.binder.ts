import { Inject, Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { setResponseHeader } from './http.adapter';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { RequestContext } from './request-context';

type Done = (err?: Error) => void;
type Hook = (req: ProtectionRequest, reply: ProtectionResponse, done: Done) => void;

interface FastifyLike {
  addHook(name: 'onRequest' | 'preHandler', hook: Hook): void;
}

/**
 * Enters the request context on Fastify. The request id is echoed from `onRequest`, so even a
 * body-parsing error carries it; the context is entered in `preHandler`, after the body is
 * parsed, so it is not lost across the body stream's callbacks, and everything Nest does for
 * the route (guards, interceptors, handler, services) runs inside it.
 */
@Injectable()
export class RequestContextBinder implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {}

  /** Whether the app runs on Fastify (Express gets the middleware instead). */
  isFastify(): boolean {
    return this.adapterHost.httpAdapter?.getType() === 'fastify';
  }

  onModuleInit(): void {
    if (!this.isFastify()) return;
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyLike>();
    const options = this.options;
    const echo = options.terminal?.requestIdHeader;
    if (echo) {
      instance.addHook('onRequest', (req, reply, done) => {
        setResponseHeader(reply, echo, RequestContext.of(req, reply, options).requestId);
        done();
      });
    }
    instance.addHook('preHandler', (req, reply, done) => {
      RequestContext.run(RequestContext.of(req, reply, options), done);
    });
  }
}

/** Enters the request context on Express, after Nest's body parsers. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  use(req: ProtectionRequest, res: ProtectionResponse, next: () => void): void {
    const ctx = RequestContext.of(req, res, this.options);
    const echo = this.options.terminal?.requestIdHeader;
    if (echo) setResponseHeader(res, echo, ctx.requestId);
    RequestContext.run(ctx, next);
  }
}
