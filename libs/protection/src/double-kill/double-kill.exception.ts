import { HttpStatus } from '@nestjs/common';
import { ProtectionException, type RejectionBody } from '../core/protection.exception';

/**
 * The call was killed because the same key is running (202 `DOUBLE_KILLED`), or, in async
 * mode, the call was accepted and runs in the background. `key` is the progress key,
 * `elapsed` the whole seconds the running call has run. Service code can catch it.
 */
export class DoubleKillException extends ProtectionException {
  constructor(
    readonly progressKey: string,
    readonly elapsed: number,
    body?: RejectionBody | Record<string, unknown>,
    status: number = HttpStatus.ACCEPTED,
  ) {
    super(
      body ?? {
        statusCode: HttpStatus.ACCEPTED,
        code: 'DOUBLE_KILLED',
        message: 'Request Too Busy, Take A Coffee',
        key: progressKey,
        elapsed,
      },
      status,
      'DOUBLE_KILLED',
    );
  }
}
