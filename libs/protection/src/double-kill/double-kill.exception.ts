import { ProtectionException, type RejectionBody } from '../core/protection.exception';
import { preset } from '../core/rejection';

/** The answer to a call whose key is running (or, in async mode, was started). */
export const DOUBLE_KILLED = preset<{ key: string; elapsed: number }>(
  202,
  'DOUBLE_KILLED',
  'Request Too Busy, Take A Coffee',
  {
    key: { type: 'string', description: 'Progress key of the running call' },
    elapsed: { type: 'integer', description: 'Whole seconds the running call has run' },
  },
);

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
    status: number = DOUBLE_KILLED.status,
  ) {
    super(body ?? DOUBLE_KILLED.body({ key: progressKey, elapsed }), status, DOUBLE_KILLED.code);
  }
}
