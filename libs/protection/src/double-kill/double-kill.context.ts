import { AsyncLocalStorage } from 'node:async_hooks';

/** What a running `@DoubleKill` call knows about its own lock. */
export interface DoubleKillRun {
  readonly progressKey: string;
  readonly fencingToken: number;
  readonly signal: AbortSignal;
  report(percent: number): Promise<void>;
}

const runs = new AsyncLocalStorage<DoubleKillRun>();

/** Inside a `@DoubleKill` method: its fencing token, abort signal and progress reporting. */
export class DoubleKillContext {
  /** @internal */
  static run<T>(run: DoubleKillRun, fn: () => T): T {
    return runs.run(run, fn);
  }

  /** The current run, or undefined outside a `@DoubleKill` method. */
  static current(): DoubleKillRun | undefined {
    return runs.getStore();
  }

  /** The lock's fencing token: it increases with every acquisition of the key. */
  static fencingToken(): number | undefined {
    return runs.getStore()?.fencingToken;
  }

  /** Aborted when the lock was lost (renewal failed): stop writing. */
  static signal(): AbortSignal | undefined {
    return runs.getStore()?.signal;
  }

  /** Reports progress (0-100) of the current run. */
  static report(percent: number): Promise<void> {
    return runs.getStore()?.report(percent) ?? Promise.resolve();
  }
}
