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
import { DecisionPoint } from '../core/decision-point';
import type { ProtectionDecisionOutcome, ProtectionMode } from '../core/decisions';
import { sha256 } from '../core/hash';
import { reject, renderRejection } from '../core/protection.exception';
import { RequestContext } from '../core/request-context';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { storeFailure } from '../store/store-failure.policy';
import type { DoubleKillMethodOptions } from './double-kill-options.interface';
import { execute, type ExecutionDeps } from './double-kill.execution';
import {
  DOUBLE_KILL_KEY_FAILED,
  DOUBLE_KILLED,
  DoubleKillException,
  DoubleKillKeyException,
} from './double-kill.exception';
import { keyPart } from './double-kill.key';
import { doubleKillOf, RUNNER } from './double-kill.metadata';
import { currentIdentity, newProgressKey } from './progress.record';

const FEATURE = 'DoubleKill';

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
  private readonly point: DecisionPoint;
  private readonly deps: ExecutionDeps;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly scan: AppScan,
    private readonly background: BackgroundWork,
  ) {
    this.point = new DecisionPoint('doubleKill', options.decisions);
    this.deps = {
      store,
      logger: this.logger,
      background,
      held: this.held,
      killed: (key, elapsed) => this.killed(key, elapsed),
    };
  }

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
    const mode = meta.mode ?? settings.mode;
    // Background jobs outlive their requests, so the in-flight cap never sees them: their own bound.
    if (meta.async && this.background.running >= settings.maxBackground) {
      const overloaded = new OverloadedException();
      this.report(meta, mode === 'shadow' ? 'shadow' : 'rejected', overloaded.code, 503);
      if (mode !== 'shadow') reject(RequestContext.current()?.response, overloaded);
    }
    const identity = currentIdentity();
    const principal = meta.principal ? identity : '';
    let key: string;
    try {
      key = this.keyOf(meta, args);
    } catch (err) {
      if (!(err instanceof DoubleKillKeyException)) throw err;
      this.report(meta, mode === 'shadow' ? 'shadow' : 'rejected', err.code, err.getStatus());
      if (mode !== 'shadow') throw err;
      return original.apply(instance, args); // shadow mode: no key, so no lock
    }
    const id = sha256(`${meta.name}\0${principal}\0${key}`);
    return this.acquire(meta, mode, id, identity, { instance, original, args });
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
    mode: ProtectionMode,
    id: string,
    identity: string,
    call: { instance: object; original: Method; args: unknown[] },
  ): Promise<unknown> {
    const settings = this.options.doubleKill;
    // Random, kept with the lock: a refused caller learns the running call's key in the same step.
    const progressKey = newProgressKey();
    const owner = randomUUID();
    let acquisition;
    try {
      acquisition = await this.store.locks.acquire(id, owner, meta.lease, progressKey);
    } catch (err) {
      const ctx = RequestContext.current();
      const policy = settings?.onStoreError ?? 'closed';
      storeFailure(this.point, FEATURE, ctx?.request, ctx?.response, mode, policy, err);
      return call.original.apply(call.instance, call.args);
    }
    if (!acquisition.acquired) {
      const killed = this.killed(acquisition.tag ?? '', Math.floor(acquisition.elapsedMs / 1000));
      const shadow = mode === 'shadow';
      this.report(meta, shadow ? 'shadow' : 'rejected', killed.code, killed.getStatus());
      if (!shadow) throw killed;
      // Shadow mode: the duplicate runs, without the lock (another call holds it).
      return execute(this.deps, meta, null, progressKey, identity, call);
    }
    this.report(meta, 'allowed');
    const lock = { id, owner, fencingToken: acquisition.fencingToken };
    return execute(this.deps, meta, lock, progressKey, identity, call);
  }

  /** Reports a decision: the request's route inside one, else the method's name. */
  private report(
    meta: DoubleKillMethodOptions,
    outcome: ProtectionDecisionOutcome,
    reason?: string,
    status?: number,
  ): void {
    if (!this.point.observer.on) return;
    const request = RequestContext.current()?.request;
    this.point.record(request, outcome, reason, status, request ? undefined : meta.name);
  }

  /** The 202 of a running key (and of a started `async` call). */
  private killed(progressKey: string, elapsed: number): DoubleKillException {
    const rendered = renderRejection(
      DOUBLE_KILLED.body({ key: progressKey, elapsed }),
      this.options.doubleKill?.response,
      RequestContext.current()?.request,
    );
    return new DoubleKillException(progressKey, elapsed, rendered.body, rendered.status);
  }
}
