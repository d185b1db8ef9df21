import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { DecisionPoint } from '../core/decision-point';
import type { ProtectionException } from '../core/protection.exception';
import { rawResponse, setResponseHeader } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import { storeFailure } from '../store/store-failure.policy';
import { TOO_MANY_REQUESTS, TooManyRequestsException } from '../core/too-many-requests.exception';
import { rateLimitsOf } from './rate-limit.metadata';
import type { ResolvedRateLimitOptions } from './rate-limit.options';
import {
  POLICY_HEADER,
  policyHeader,
  STATE_HEADER,
  stateItem,
} from '../store/rate-limit/rate-limit.headers';
import { planFor, stepsOf, type RoutePlan, type Step } from './rate-limit.plan';
import type {
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitPort,
} from '../store/rate-limit/rate-limit.port';

const FEATURE = 'RateLimit';

/** One request's way through the guard: its steps, then what they came to. */
interface Run {
  readonly plan: RoutePlan;
  readonly settings: ResolvedRateLimitOptions;
  readonly req: ProtectionRequest;
  readonly res: ProtectionResponse;
  readonly steps: readonly Step[];
  /** The `RateLimit` header so far. */
  state: string;
  /** Refused when > 0: the longest wait of a refusing rule. */
  retryMs: number;
  /** A shadow rule would have refused. */
  shadowed: boolean;
  counted: Array<{ step: Step; port: RateLimitPort }>;
}

/**
 * Applied by `@RateLimit` (once per route, however many rules). Counts the request against
 * every rule of the class and the method, one store step per client counted; 429 when any rule
 * is full. Rules that count only failed (or only succeeded) answers take their place before the
 * handler and give it back once the answer is known not to count. Every answer carries the IETF
 * `RateLimit-Policy` and `RateLimit` headers.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly plans = new WeakMap<object, Map<object, RoutePlan | null>>();
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);

  /** The in-process stand-in while the store is down (`onStoreError: 'local'`). */
  private readonly local: RateLimitMemory;
  private readonly point: DecisionPoint;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.local = new RateLimitMemory(options.memoryMax, 'rate-limit windows (local)');
    this.point = new DecisionPoint('rateLimit', options.decisions);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const settings = this.options.rateLimit;
    if (!settings || context.getType() !== 'http') return true;
    const plan = this.planOf(context, settings);
    if (!plan) return true;
    // Not switchToHttp(): it makes three closures per call.
    const req = context.getArgByIndex<ProtectionRequest>(0);
    const res = context.getArgByIndex<ProtectionResponse>(1);
    const run: Run = {
      plan,
      settings,
      req,
      res,
      steps: stepsOf(plan, req, this.options.identity),
      state: '',
      retryMs: 0,
      shadowed: false,
      counted: [],
    };
    const port = this.store.rateLimit;
    if (port.applySync === undefined) return this.applyAsync(run, port);
    // A store that answers at once (memory): no promise on the way.
    for (const step of run.steps) {
      let decision: RateLimitDecision;
      try {
        decision = port.applySync(step.client, step.policies, 'hit', step.cost);
      } catch (err) {
        if (this.fallBack(run, step, err)) continue;
        return true;
      }
      this.tally(run, step, port, decision);
    }
    // A refusal is returned, not thrown: see `prepared`.
    const refusal = this.conclude(run);
    return refusal === null ? true : Promise.reject(refusal);
  }

  private async applyAsync(run: Run, port: RateLimitPort): Promise<boolean> {
    for (const step of run.steps) {
      let decision: RateLimitDecision;
      try {
        decision = await port.apply(step.client, step.policies, 'hit', step.cost);
      } catch (err) {
        if (this.fallBack(run, step, err)) continue;
        return true;
      }
      this.tally(run, step, port, decision);
    }
    const refusal = this.conclude(run);
    if (refusal !== null) throw refusal;
    return true;
  }

  /**
   * The store failed a step: its `onStoreError` policy. With `'local'` the same rules count in
   * this process until the store is back (a limit against brute force must not switch off
   * during an outage, and a full local table refuses): true, the step counted. False: the
   * request goes on without the rest.
   */
  private fallBack(run: Run, step: Step, err: unknown): boolean {
    const { plan, settings, req, res } = run;
    storeFailure(this.point, FEATURE, req, res, plan.mode, settings.onStoreError, err);
    if (settings.onStoreError !== 'local') return false;
    let decision: RateLimitDecision;
    try {
      decision = this.local.applySync(step.client, step.policies, 'hit', step.cost);
    } catch (localErr) {
      storeFailure(this.point, FEATURE, req, res, plan.mode, 'closed', localErr);
      return false;
    }
    this.tally(run, step, this.local, decision);
    return true;
  }

  /** Adds one step's decision to the request's headers and verdict. */
  private tally(run: Run, step: Step, port: RateLimitPort, decision: RateLimitDecision): void {
    if (decision.allowed) run.counted.push({ step, port });
    else if (step.shadow) run.shadowed = true;
    // A shadow rule's refusal is reported, never answered.
    const refused = !decision.allowed && !step.shadow;
    for (let i = 0; i < step.policies.length; i++) {
      const policy = step.policies[i] as RateLimitPolicy;
      const p = decision.policies[i] ?? { remaining: 0, resetMs: policy.windowMs, retryMs: 0 };
      run.state += (run.state ? ', ' : '') + stateItem(policy, p);
      if (refused) run.retryMs = Math.max(run.retryMs, p.retryMs);
    }
    if (refused && run.retryMs === 0) run.retryMs = 1000;
  }

  /** Writes the headers; then the refusal (429) to answer, or null to let the request through. */
  private conclude(run: Run): ProtectionException | null {
    const { plan, settings, req, res, steps, counted } = run;
    setResponseHeader(
      res,
      POLICY_HEADER,
      plan.policyHeader ?? policyHeader(steps.flatMap((s) => s.policies)),
    );
    setResponseHeader(res, STATE_HEADER, run.state);
    if (run.retryMs > 0) {
      // Refused: what the other clients' steps counted for this request is given back.
      for (const c of counted) this.refund(c.step, c.port);
      const retryAfter = Math.max(1, Math.ceil(run.retryMs / 1000));
      return this.point.refusal(
        req,
        res,
        TOO_MANY_REQUESTS,
        settings.response,
        (body, status) => new TooManyRequestsException(retryAfter, body, status),
      );
    }
    if (plan.conditional) {
      const conditional = counted.filter((c) => c.step.count !== 'all');
      if (conditional.length > 0) this.settleAfterResponse(res, conditional);
    }
    if (this.point.observer.on) this.passed(req, run.shadowed, counted, settings);
    return null;
  }

  /** Reports a request let through: over a shadow rule, counted in process (store down), or allowed. */
  private passed(
    req: ProtectionRequest,
    shadowed: boolean,
    counted: ReadonlyArray<{ port: RateLimitPort }>,
    settings: ResolvedRateLimitOptions,
  ): void {
    if (shadowed) {
      const status = settings.response?.status ?? TOO_MANY_REQUESTS.status;
      this.point.record(req, 'shadow', TOO_MANY_REQUESTS.code, status);
    } else {
      this.point.record(req, counted.some((c) => c.port === this.local) ? 'degraded' : 'allowed');
    }
  }

  /**
   * Once the answer is known, a place taken by a request that does not count is given back:
   * `'failed'` keeps it for a status >= 400 and for an answer that never finished (a client
   * that hangs up learns nothing, and must not dodge the count); `'succeeded'` keeps it for a
   * finished status < 400 and gives it back otherwise.
   */
  private settleAfterResponse(
    res: ProtectionResponse,
    counted: ReadonlyArray<{ step: Step; port: RateLimitPort }>,
  ): void {
    const raw = rawResponse(res);
    raw.once('close', () => {
      const finished = raw.writableFinished;
      const failed = raw.statusCode >= 400;
      for (const { step, port } of counted) {
        const keep = step.count === 'failed' ? !finished || failed : finished && !failed;
        if (!keep) this.refund(step, port);
      }
    });
  }

  private refund(step: Step, port: RateLimitPort): void {
    port.apply(step.client, step.policies, 'refund', step.cost).catch((err: unknown) => {
      // The place stays taken until it ages out: the client is counted once too often.
      this.logger.warn(`RateLimit: a place could not be given back: ${String(err)}`);
    });
  }

  private planOf(context: ExecutionContext, settings: ResolvedRateLimitOptions): RoutePlan | null {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.plans.get(handler);
    if (!byClass) this.plans.set(handler, (byClass = new Map<object, RoutePlan | null>()));
    let plan = byClass.get(cls);
    if (plan === undefined) {
      const rules = [...rateLimitsOf(cls), ...rateLimitsOf(handler)];
      plan = planFor(rules, settings.algorithm, settings.mode);
      byClass.set(cls, plan);
    }
    return plan;
  }
}
