import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ServerHooks } from '../core/server-hooks';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { MultipartTap } from './multipart-tap';
import { logRequest } from './request-logger';

/**
 * Request logging (only when `logging` is set), after the body is parsed. Multipart bodies are
 * watched from the Node server's `request` event, the one point sure to come before the first
 * body chunk.
 */
@Injectable()
export class LoggingBinder {
  constructor(hooks: ServerHooks, @Inject(PROTECTION_OPTIONS) options: ResolvedProtectionOptions) {
    const logging = options.logging;
    if (!logging) return;
    const header = options.terminal?.requestIdHeader ?? 'x-request-id';
    const trust = options.identity.trust;
    hooks.onNodeRequest((req: IncomingMessage) => {
      MultipartTap.attach(req);
    });
    hooks.preHandler((req, res, next) => {
      logRequest(logging, req, res, header, trust);
      next();
    });
  }
}
