import type { RejectionBody } from './protection.exception';
import { preset, PresetException } from './rejection';

/** Over a limit (rate limits, per-IP overload checks). */
export const TOO_MANY_REQUESTS = preset(429, 'TOO_MANY_REQUESTS', 'Too many requests; retry later');

/** 429 `TOO_MANY_REQUESTS`, with `Retry-After` in whole seconds (never before the reset). */
export class TooManyRequestsException extends PresetException {
  constructor(
    retryAfterSeconds: number,
    body?: RejectionBody | Record<string, unknown>,
    status?: number,
  ) {
    super(TOO_MANY_REQUESTS, body, status, { 'Retry-After': String(retryAfterSeconds) });
  }
}
