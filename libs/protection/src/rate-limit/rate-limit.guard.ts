import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { DecisionPoint } from '../core/decision-point';
import { rawResponse, setResponseHeader } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import { storeFailure } from '../store/store-failure.policy';
import type { RateLimitCount } from './rate-limit-options.interface';
import { TOO_MANY_REQUESTS, TooManyRequestsException } from '../core/too-many-requests.exception';
import { rateLimitsOf } from './rate-limit.metadata';
import { valueFor, type ResolvedRateLimitOptions } from './rate-limit.options';
import { policyHeader, stateItem } from '../store/rate-limit/rate-limit.headers';
import { planFor, policiesFor, type RoutePlan } from './rate-limit.plan';
import { clientOf } from './rate-limit.subjects';
import type {
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitPort,
} from '../store/rate-limit/rate-limit.port';

const FEATURE = 'RateLimit';

/** One store step of a request. */
interface Step {
  client: string;
  count: RateLimitCount;
  cost: number;
  policies: readonly RateLimitPolicy[];
  shadow: boolean;
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.rateLimit;
    if (!settings || context.getType() !== 'http') return true;
    const plan = this.planOf(context, settings);
    if (!plan) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<ProtectionRequest>();
    const res = http.getResponse<ProtectionResponse>();

    const steps = this.steps(plan, req);
    let state = '';
    let retryMs = 0;
    let shadowed = false;
    const counted: Array<{ step: Step; port: RateLimitPort }> = [];
    for (const step of steps) {
      let port: RateLimitPort = this.store.rateLimit;
      let decision: RateLimitDecision;
      try {
        decision = await port.apply(step.client, step.policies, 'hit', step.cost);
      } catch (err) {
        storeFailure(this.point, FEATURE, req, res, plan.mode, settings.onStoreError, err);
        if (settings.onStoreError !== 'local') return true;
        // The same rules in this process until the store is back: a limit against brute force
        // must not switch off during an outage (and a full local table refuses).
        port = this.local;
        try {
          decision = await port.apply(step.client, step.policies, 'hit', step.cost);
        } catch (localErr) {
          storeFailure(this.point, FEATURE, req, res, plan.mode, 'closed', localErr);
          return true;
        }
      }
      if (decision.allowed) counted.push({ step, port });
      else if (step.shadow) shadowed = true;
      // A shadow rule's refusal is reported, never answered.
      const refused = !decision.allowed && !step.shadow;
      for (let i = 0; i < step.policies.length; i++) {
        const policy = step.policies[i] as RateLimitPolicy;
        const p = decision.policies[i] ?? { remaining: 0, resetMs: policy.windowMs, retryMs: 0 };
        state += (state ? ', ' : '') + stateItem(policy, p);
        if (refused) retryMs = Math.max(retryMs, p.retryMs);
      }
      if (refused && retryMs === 0) retryMs = 1000;
    }
    setResponseHeader(
      res,
      'RateLimit-Policy',
      plan.policyHeader ?? policyHeader(steps.flatMap((s) => s.policies)),
    );
    setResponseHeader(res, 'RateLimit', state);
    if (retryMs > 0) {
      // Refused: what the other clients' steps counted for this request is given back.
      for (const c of counted) this.refund(c.step, c.port);
      const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
      this.point.rejectPreset(
        req,
        res,
        TOO_MANY_REQUESTS,
        settings.response,
        (body, status) => new TooManyRequestsException(retryAfter, body, status),
      );
    }
    const conditional = counted.filter((c) => c.step.count !== 'all');
    if (conditional.length > 0) this.settleAfterResponse(res, conditional);
    if (this.point.observer.on) this.passed(req, shadowed, counted, settings);
    return true;
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

  /**
   * The store steps of a request: its groups with this request's client, cost, limits and
   * windows. Rules of different kinds can name the same client (an anonymous request's
   * `'user'` rule counts its address, like `'ip'`): such steps merge, so the rules of one
   * client are counted together or not at all.
   */
  private steps(plan: RoutePlan, req: ProtectionRequest): Step[] {
    const identity = this.options.identity;
    const [only] = plan.groups;
    if (plan.groups.length === 1 && only) {
      return [
        {
          client: clientOf(only.key, req, identity),
          count: only.count,
          cost: only.rules[0] ? valueFor(only.rules[0], 'cost', only.cost, req) : 1,
          policies: only.policies ?? policiesFor(only, req),
          shadow: only.shadow,
        },
      ];
    }
    const merged = new Map<string, Step>();
    for (const g of plan.groups) {
      const client = clientOf(g.key, req, identity);
      const cost = g.rules[0] ? valueFor(g.rules[0], 'cost', g.cost, req) : 1;
      const id = `${client}\0${g.count}\0${cost}\0${g.shadow}`;
      const step = merged.get(id);
      const policies = g.policies ?? policiesFor(g, req);
      if (step) step.policies = [...step.policies, ...policies];
      else merged.set(id, { client, count: g.count, cost, policies, shadow: g.shadow });
    }
    return [...merged.values()];
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
