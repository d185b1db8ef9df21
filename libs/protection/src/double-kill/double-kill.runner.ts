import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppScan } from '../core/app-scan';
import { LIBRARY } from '../core/async-context';
import { BackgroundWork } from '../core/background-work';
import { OverloadedException } from '../overload/overload.exception';
import { sha256 } from '../core/hash';
import { reject, renderRejection } from '../core/protection.exception';
import { RequestContext } from '../core/request-context';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { applyStoreErrorPolicy } from '../store/store-failure.policy';
import type { DoubleKillMethodOptions } from './double-kill-options.interface';
import { DoubleKillContext, type DoubleKillRun } from './double-kill.context';
import {
  DOUBLE_KILL_KEY_FAILED,
  DOUBLE_KILLED,
  DoubleKillException,
  DoubleKillKeyException,
} from './double-kill.exception';
import { keyPart } from './double-kill.key';
import { keepLease } from './lease-keeper';
import { doubleKillOf, RUNNER } from './double-kill.metadata';
import {
  currentIdentity,
  jsonSafe,
  newProgressKey,
  progressRecordKey,
  type ProgressRecord,
} from './progress.record';

const FEATURE = 'DoubleKill';
/** A running call's progress record lives at most this long; its stop sets `progress` seconds. */
const RUNNING_RECORD_TTL_MS = 86_400_000;

type Method = (...args: unknown[]) => unknown;

/**
 * Runs `@DoubleKill` methods under their lock. Bound at module init to every instance whose
 * class has such a method; the method's trampoline calls `run`.
 */
@Injectable()
export class DoubleKillRunner implements OnModuleInit, OnApplicationShutdown {
  static readonly [LIBRARY] = true;
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  /** Locks this process holds: lock key -> owner token. */
  private readonly held = new Map<string, string>();
  /** Instances and prototypes this runner was bound to. */
  private readonly bound: object[] = [];
  /** Methods whose throwing key function was logged: once each, not on every request. */
  private readonly keyFailuresLogged = new Set<string>();

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly scan: AppScan,
    private readonly background: BackgroundWork,
  ) {}

  onModuleInit(): void {
    if (!this.options.doubleKill) return;
    for (const c of this.scan.classes()) {
      const proto = c.type.prototype as object;
      if (!this.scan.methods().some((m) => m.type === c.type && doubleKillOf(m.fn))) continue;
      // Static providers' instances get the runner; request-scoped and transient ones are made
      // later, per request or per consumer, so they find it on their prototype instead.
      for (const holder of c.isStatic ? c.instances : [proto]) {
        Object.defineProperty(holder, RUNNER, { value: this, configurable: true });
        this.bound.push(holder);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const holder of this.bound.splice(0)) {
      if (Object.getOwnPropertyDescriptor(holder, RUNNER)?.value === this)
        Reflect.deleteProperty(holder, RUNNER);
    }
    await this.releaseAll();
  }

  /** Releases every lock this process holds (graceful shutdown). */
  async releaseAll(): Promise<void> {
    const locks = [...this.held];
    this.held.clear();
    await Promise.all(
      locks.map(([key, owner]) => this.store.locks.release(key, owner).catch(() => false)),
    );
  }

  /** Always a promise: a bad key, a refusal and the method's own errors all reject it. */
  async run(
    meta: DoubleKillMethodOptions,
    instance: object,
    original: Method,
    args: unknown[],
  ): Promise<unknown> {
    const settings = this.options.doubleKill;
    if (!settings) return original.apply(instance, args);
    // Background jobs outlive their requests, so the in-flight cap never sees them: their own bound.
    if (meta.async && this.background.running >= settings.maxBackground)
      reject(RequestContext.current()?.response, new OverloadedException());
    const identity = currentIdentity();
    const principal = meta.principal ? identity : '';
    const id = sha256(`${meta.name}\0${principal}\0${this.keyOf(meta, args)}`);
    return this.acquire(meta, id, identity, instance, original, args);
  }

  private keyOf(meta: DoubleKillMethodOptions, args: unknown[]): string {
    try {
      return keyPart(meta, args);
    } catch (err) {
      if (
        err instanceof DoubleKillKeyException &&
        err.code === DOUBLE_KILL_KEY_FAILED.code &&
        !this.keyFailuresLogged.has(meta.name)
      ) {
        this.keyFailuresLogged.add(meta.name);
        const cause = err.cause instanceof Error ? err.cause.message : typeof err.cause;
        this.logger.warn(
          `${FEATURE}: the key function of ${meta.name} threw (${cause}); such calls get 400 (logged once)`,
        );
      }
      throw err;
    }
  }

  private async acquire(
    meta: DoubleKillMethodOptions,
    id: string,
    identity: string,
    instance: object,
    original: Method,
    args: unknown[],
  ): Promise<unknown> {
    const settings = this.options.doubleKill;
    // Random, kept with the lock: a refused caller learns the running call's key in the same step.
    const progressKey = newProgressKey();
    const owner = randomUUID();
    let acquisition;
    try {
      acquisition = await this.store.locks.acquire(id, owner, meta.lease, progressKey);
    } catch (err) {
      applyStoreErrorPolicy(
        FEATURE,
        settings?.onStoreError ?? 'closed',
        err,
        RequestContext.current()?.response,
      );
      return original.apply(instance, args);
    }
    if (!acquisition.acquired)
      throw this.killed(acquisition.tag ?? '', Math.floor(acquisition.elapsedMs / 1000));

    this.held.set(id, owner);
    const abort = new AbortController();
    const startedAt = Date.now();
    const record: ProgressRecord = {
      key: progressKey,
      startedAt,
      stoppedAt: null,
      done: false,
      percent: 0,
    };
    const recordKey = progressRecordKey(identity, progressKey);
    const save = (ttlMs: number): Promise<void> =>
      this.store.records.put(recordKey, JSON.stringify(record), ttlMs).catch((err: Error) => {
        this.logger.warn(`${FEATURE}: progress of ${meta.name} not saved: ${err.message}`);
      });
    await save(RUNNING_RECORD_TTL_MS);
    const stopRenewal = keepLease(this.store.locks, {
      key: id,
      owner,
      leaseMs: meta.lease,
      abort,
      log: this.logger,
      name: `${FEATURE}: lock of ${meta.name}`,
    });

    const run: DoubleKillRun = {
      progressKey,
      fencingToken: acquisition.fencingToken,
      signal: abort.signal,
      report: (percent: number) => {
        record.percent = Math.min(100, Math.max(0, Math.round(percent)));
        return save(RUNNING_RECORD_TTL_MS);
      },
    };
    const execute = async (): Promise<unknown> => {
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
        this.held.delete(id);
        await save(meta.progress * 1000);
        await this.store.locks.release(id, owner).catch((err: Error) => {
          this.logger.warn(
            `${FEATURE}: release of ${meta.name} failed (retried when the store is back): ${err.message}`,
          );
        });
      }
    };
    if (meta.async) {
      // One background run; every caller, this one included, gets 202 with the progress key.
      this.background.running++;
      execute()
        .catch((err: unknown) =>
          this.logger.error(`${FEATURE}: background ${meta.name} failed: ${String(err)}`),
        )
        .finally(() => this.background.running--);
      throw this.killed(progressKey, 0);
    }
    return execute();
  }

  private killed(progressKey: string, elapsed: number): DoubleKillException {
    const rendered = renderRejection(
      DOUBLE_KILLED.body({ key: progressKey, elapsed }),
      this.options.doubleKill?.response,
      RequestContext.current()?.request,
    );
    return new DoubleKillException(progressKey, elapsed, rendered.body, rendered.status);
  }
}
