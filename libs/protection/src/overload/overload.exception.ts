import { ProtectionException } from '../core/protection.exception';
import { preset } from '../core/rejection';

/** The process already runs `maxConcurrent` requests. */
export const OVERLOADED = preset({ status: 503, code: 'OVERLOADED', message: 'Server overloaded; retry shortly' });

/** The process is draining for shutdown. */
export const SHUTTING_DOWN = preset({ status: 503, code: 'SHUTTING_DOWN', message: 'Server shutting down; retry on another instance' });

/** 503 `OVERLOADED`: the process already runs `maxConcurrent` requests. */
export class OverloadedException extends ProtectionException {
  constructor() {
    super(OVERLOADED.body(), OVERLOADED.status, OVERLOADED.code, { 'Retry-After': '1' });
  }
}

/** 503 `SHUTTING_DOWN` with `Connection: close`: the process is draining. */
export class ShuttingDownException extends ProtectionException {
  constructor() {
    super(SHUTTING_DOWN.body(), SHUTTING_DOWN.status, SHUTTING_DOWN.code, { Connection: 'close', 'Retry-After': '1' });
  }
}
