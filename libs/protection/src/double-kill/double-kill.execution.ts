import type { Logger } from '@nestjs/common';
import type { BackgroundWork } from '../core/background-work';
import type { ProtectionStore } from '../protection.store';
import type { DoubleKillMethodOptions } from './double-kill-options.interface';
import { DoubleKillContext, type DoubleKillRun } from './double-kill.context';
import { keepLease } from './lease-keeper';
import { jsonSafe, progressRecordKey, type ProgressRecord } from './progress.record';

const FEATURE = 'DoubleKill';
/** A running call's progress record lives at most this long; its stop sets `progress` seconds. */
const RUNNING_RECORD_TTL_MS = 86_400_000;

type Method = (...args: unknown[]) => unknown;

/** What a run needs from the runner. */
export interface ExecutionDeps {
  readonly store: ProtectionStore;
  readonly logger: Logger;
  readonly background: BackgroundWork;
  /** Locks this process holds: lock key -> owner token. */
  readonly held: Map<string, string>;
  /** The 202 an `async` call answers with its progress key. */
  killed(progressKey: string, elapsed: number): Error;
}

/** The lock a run holds; null for a shadow-mode duplicate, which runs without one. */
export interface HeldLock {
  readonly id: string;
  readonly owner: string;
  readonly fencingToken: number;
}

/**
 * Runs the method: its progress record, its lease renewal and release when it holds a lock,
 * in the background for `async` (the caller gets 202 with the progress key).
 */
export async function execute(
  deps: ExecutionDeps,
  meta: DoubleKillMethodOptions,
  lock: HeldLock | null,
  progressKey: string,
  identity: string,
  call: { instance: object; original: Method; args: unknown[] },
): Promise<unknown> {
  const { store, logger } = deps;
  if (lock) deps.held.set(lock.id, lock.owner);
  const abort = new AbortController();
  const record: ProgressRecord = {
    key: progressKey,
    startedAt: Date.now(),
    stoppedAt: null,
    done: false,
    percent: 0,
  };
  const recordKey = progressRecordKey(identity, progressKey);
  const save = (ttlMs: number): Promise<void> =>
    store.records.put(recordKey, JSON.stringify(record), ttlMs).catch((err: Error) => {
      logger.warn(`${FEATURE}: progress of ${meta.name} not saved: ${err.message}`);
    });
  await save(RUNNING_RECORD_TTL_MS);
  const stopRenewal = lock
    ? keepLease(store.locks, {
        key: lock.id,
        owner: lock.owner,
        leaseMs: meta.lease,
        abort,
        log: logger,
        name: `${FEATURE}: lock of ${meta.name}`,
      })
    : () => undefined;

  const run: DoubleKillRun = {
    progressKey,
    // Without a lock (a shadow-mode duplicate), 0: older than any holder's token.
    fencingToken: lock?.fencingToken ?? 0,
    signal: abort.signal,
    report: (percent: number) => {
      record.percent = Math.min(100, Math.max(0, Math.round(percent)));
      return save(RUNNING_RECORD_TTL_MS);
    },
  };
  const { instance, original, args } = call;
  const go = async (): Promise<unknown> => {
    try {
      const result = await DoubleKillContext.run(run, () => original.apply(instance, args));
      Object.assign(record, { done: true, percent: 100, stoppedAt: Date.now() });
      if (meta.keepResult) record.result = jsonSafe(result);
      return result;
    } catch (err) {
      Object.assign(record, {
        done: true,
        stoppedAt: Date.now(),
        error: err instanceof Error ? err.message : String(err),
      });
      throw err;
    } finally {
      stopRenewal();
      if (lock) deps.held.delete(lock.id);
      await save(meta.progress * 1000);
      if (lock)
        await store.locks.release(lock.id, lock.owner).catch((err: Error) => {
          logger.warn(
            `${FEATURE}: release of ${meta.name} failed (retried when the store is back): ${err.message}`,
          );
        });
    }
  };
  if (meta.async) {
    // One background run; every caller, this one included, gets 202 with the progress key.
    deps.background.running++;
    go()
      .catch((err: unknown) =>
        logger.error(`${FEATURE}: background ${meta.name} failed: ${String(err)}`),
      )
      .finally(() => deps.background.running--);
    throw deps.killed(progressKey, 0);
  }
  return go();
}
