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

/** A `@DoubleKill` key is null or undefined (checkNull): the call would share one lock with every such call. */
export const DOUBLE_KILL_NULL_KEY = preset(
  400,
  'DOUBLE_KILL_NULL_KEY',
  'The lock key is null or undefined',
);

/** A `@DoubleKill` key function threw. */
export const DOUBLE_KILL_KEY_FAILED = preset(
  400,
  'DOUBLE_KILL_KEY_FAILED',
  'The lock key could not be computed',
);

/**
 * The call's lock key could not be made: the key function returned null or undefined
 * (400 `DOUBLE_KILL_NULL_KEY`) or threw (400 `DOUBLE_KILL_KEY_FAILED`, the error as `cause`).
 * The message names the method (`Class.method`). Thrown outside HTTP too; the method never ran.
 */
export class DoubleKillKeyException extends ProtectionException {
  constructor(
    readonly method: string,
    kind: 'null' | 'failed',
    options?: { cause?: unknown },
  ) {
    const p = kind === 'null' ? DOUBLE_KILL_NULL_KEY : DOUBLE_KILL_KEY_FAILED;
    super({ ...p.body(), message: `${method}: ${p.message}` }, p.status, p.code);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
