import { Inject, Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { logRequest } from './request-logger';

type Hook = (req: ProtectionRequest, reply: ProtectionResponse, done: () => void) => void;

/** Request logging on Fastify: a `preHandler` hook, after the body is parsed (only when `logging` is set). */
@Injectable()
export class LoggingBinder implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {}

  onModuleInit(): void {
    const logging = this.options.logging;
    if (!logging || this.adapterHost.httpAdapter?.getType() !== 'fastify') return;
    const header = this.options.terminal?.requestIdHeader ?? 'x-request-id';
    this.adapterHost.httpAdapter.getInstance<{ addHook(name: 'preHandler', hook: Hook): void }>().addHook(
      'preHandler',
      (req, reply, done) => {
        logRequest(logging, req, reply, header);
        done();
      },
    );
  }
}

/** Request logging on Express, after Nest's body parsers (registered only when `logging` is set). */
@Injectable()
export class LoggingMiddleware implements NestMiddleware {
  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  use(req: ProtectionRequest, res: ProtectionResponse, next: () => void): void {
    if (this.options.logging) logRequest(this.options.logging, req, res, this.options.terminal?.requestIdHeader ?? 'x-request-id');
    next();
  }
}
