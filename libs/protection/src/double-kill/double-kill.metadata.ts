import type { DoubleKillMethodOptions } from './double-kill-options.interface';

/** Metadata key of `@DoubleKill` options, set on the method's trampoline. */
export const DOUBLE_KILL = 'nest-protection:double-kill';

/** Where the runner is bound on each instance that has `@DoubleKill` methods. */
export const RUNNER = Symbol.for('nest-protection.double-kill.runner');

/** The `@DoubleKill` options of a method, if it has any. */
export function doubleKillOf(method: unknown): DoubleKillMethodOptions | undefined {
  return typeof method === 'function'
    ? (Reflect.getMetadata(DOUBLE_KILL, method) as DoubleKillMethodOptions | undefined)
    : undefined;
}
