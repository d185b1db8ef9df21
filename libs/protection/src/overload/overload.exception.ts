import { HttpStatus } from '@nestjs/common';
import { ProtectionException } from '../core/protection.exception';

/** 503 `OVERLOADED`: the process already runs `maxConcurrent` requests. */
export class OverloadedException extends ProtectionException {
  constructor() {
    super(
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, code: 'OVERLOADED', message: 'Server overloaded; retry shortly' },
      HttpStatus.SERVICE_UNAVAILABLE,
      'OVERLOADED',
      { 'Retry-After': '1' },
    );
  }
}

/** 503 `SHUTTING_DOWN` with `Connection: close`: the process is draining. */
export class ShuttingDownException extends ProtectionException {
  constructor() {
    super(
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, code: 'SHUTTING_DOWN', message: 'Server shutting down; retry on another instance' },
      HttpStatus.SERVICE_UNAVAILABLE,
      'SHUTTING_DOWN',
      { Connection: 'close', 'Retry-After': '1' },
    );
  }
}
