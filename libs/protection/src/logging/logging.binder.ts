import { Inject, Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { MultipartTap } from './multipart-tap';
import { logRequest } from './request-logger';

type Hook = (req: ProtectionRequest, reply: ProtectionResponse, done: () => void) => void;

/**
 * Request logging (only when `logging` is set). On Fastify a `preHandler` hook, after the body is
 * parsed (Express uses `LoggingMiddleware`). On both, multipart bodies are watched from the Node
 * server's `request` event, the one point sure to come before the first body chunk.
 */
@Injectable()
export class LoggingBinder implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {}

  onModuleInit(): void {
    const logging = this.options.logging;
    const adapter = this.adapterHost.httpAdapter;
    if (!logging || !adapter) return;
    const server = adapter.getHttpServer() as Server | undefined;
    server?.prependListener('request', (req: IncomingMessage) => {
      MultipartTap.attach(req);
    });
    if (adapter.getType() !== 'fastify') return;
    const header = this.options.terminal?.requestIdHeader ?? 'x-request-id';
    adapter.getInstance<{ addHook(name: 'preHandler', hook: Hook): void }>().addHook('preHandler', (req, reply, done) => {
      logRequest(logging, req, reply, header);
      done();
    });
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
