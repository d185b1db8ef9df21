import { HttpStatus } from '@nestjs/common';
import { ProtectionException, type RejectionBody } from './protection.exception';

/** 429 `TOO_MANY_REQUESTS` (rate limits, per-IP overload checks), with `Retry-After` in whole seconds (never before the reset). */
export class TooManyRequestsException extends ProtectionException {
  constructor(
    retryAfterSeconds: number,
    body: RejectionBody | Record<string, unknown> = {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many requests; retry later',
    },
    status: number = HttpStatus.TOO_MANY_REQUESTS,
  ) {
    super(body, status, 'TOO_MANY_REQUESTS', { 'Retry-After': String(retryAfterSeconds) });
  }
}
