import { Inject, Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import type { ProtectionRequest, ProtectionResponse } from './http.types';
import { RequestContext } from './request-context';

type Done = (err?: Error) => void;

interface FastifyLike {
  addHook(name: 'preHandler', hook: (req: ProtectionRequest, reply: ProtectionResponse, done: Done) => void): void;
}

/**
 * Enters the request context on Fastify. A `preHandler` hook runs after the body is parsed,
 * so the context is not lost across the body stream's callbacks, and everything Nest does for
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
    const settings = this.options.identity;
    instance.addHook('preHandler', (req, reply, done) => {
      RequestContext.run(RequestContext.of(req, reply, settings), done);
    });
  }
}

/** Enters the request context on Express, after Nest's body parsers. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  use(req: ProtectionRequest, res: ProtectionResponse, next: () => void): void {
    RequestContext.run(RequestContext.of(req, res, this.options.identity), next);
  }
}
