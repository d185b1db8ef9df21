import { Logger } from '@nestjs/common';
import { DecisionPoint } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import { getResponseHeader, setResponseHeader } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { abuseKey } from '../core/identity';
import { routeKey } from '../core/route-key';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import type { ProtectionStore } from '../protection.store';
import {
  POLICY_HEADER,
  policyHeader,
  STATE_HEADER,
  stateItem,
} from '../store/rate-limit/rate-limit.headers';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import type {
  RateLimitDecision,
  RateLimitOp,
  RateLimitPolicy,
  RateLimitPort,
} from '../store/rate-limit/rate-limit.port';
import { storeFailure } from '../store/store-failure.policy';
import { budgetPolicy } from './page-budget.options';
import { SCRAPING_BUDGET, ScrapingBudgetException } from './page-budget.exception';
import { onServed } from './page-budget.settlement';
import type { PageBudgetOptions, PageDefaultOptions } from './page-options.interface';
import type { PageQuery } from './page-query';

const FEATURE = 'PageBudget';

/** A budgeted route as it is counted, worked out on its first request. */
interface BudgetPlan {
  readonly policies: readonly [RateLimitPolicy];
  readonly policyHeader: string;
  readonly mode: ProtectionMode;
}

/** Where a request's rows were counted, to give back what the page did not serve. */
interface Counted {
  readonly port: RateLimitPort;
  readonly client: string;
  readonly plan: BudgetPlan;
}

/**
 * The scraping budget of `@PageDefault({ budget })`, run by its pipe once the page is parsed
 * (a page beyond `maxOffset` is a 400 before anything is counted). The page's `size` rows are
 * taken from the client's budget in one store step (429 `SCRAPING_BUDGET` when they do not
 * fit), before the handler. A `PageResult` built from the route's `PageQuery` with fewer rows
 * gives the rest back (one more store step, not awaited), an overlong one counts the extra.
 */
export class PageBudget {
  private readonly plans = new WeakMap<PageDefaultOptions, BudgetPlan>();
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  /** The in-process stand-in while the store is down (`page.onStoreError: 'local'`). */
  private readonly local: RateLimitMemory;
  private readonly point: DecisionPoint;

  constructor(
    private readonly options: ResolvedProtectionOptions,
    private readonly store: ProtectionStore,
  ) {
    this.local = new RateLimitMemory(options.memoryMax, 'page budgets (local)');
    this.point = new DecisionPoint('pageBudget', options.decisions);
  }

  /** Counts `pq`'s rows for this request; throws the 429 (enforce mode) when they do not fit. */
  async count(
    route: PageDefaultOptions,
    budget: PageBudgetOptions,
    pq: PageQuery,
    req: ProtectionRequest,
    res: ProtectionResponse,
  ): Promise<void> {
    const plan = this.planOf(route, budget);
    const size = pq.size;
    // Per (client, route): the authenticated user, else the client address key; never a
    // session or User-Agent, which a scraper rotates for free.
    const client = `page:${routeKey(req)}\0${abuseKey(req, this.options.identity)}`;
    const taken = await this.take(client, plan, size, req, res);
    if (!taken) return;
    const { counted, decision } = taken;

    // Beside a @RateLimit guard's own policies, when the route has both (guards run first).
    const policies = getResponseHeader(res, POLICY_HEADER);
    const before = getResponseHeader(res, STATE_HEADER);
    const p = decision.policies[0] ?? { remaining: 0, resetMs: 0, retryMs: 0 };
    const state = (remaining: number): string => {
      const item = stateItem(plan.policies[0], { ...p, remaining });
      return before ? `${before}, ${item}` : item;
    };
    setResponseHeader(
      res,
      POLICY_HEADER,
      policies ? `${policies}, ${plan.policyHeader}` : plan.policyHeader,
    );
    setResponseHeader(res, STATE_HEADER, state(p.remaining));
    if (!decision.allowed) {
      const retryAfter = Math.max(1, Math.ceil((p.retryMs || 1000) / 1000));
      this.point.refusePreset(
        req,
        res,
        plan.mode,
        SCRAPING_BUDGET,
        undefined,
        (body, status) => new ScrapingBudgetException(retryAfter, body, status),
      );
      // Shadow mode: served, and nothing was taken, so nothing is settled.
      return;
    }
    this.point.record(req, counted.port === this.local ? 'degraded' : 'allowed');
    onServed(pq, (served) => {
      // Rows actually served: a short page gives the rest back, an overlong one counts it.
      if (!Number.isInteger(served) || served === size) return;
      if (served < size) {
        this.settle(counted, 'refund', size - served);
        const rows = plan.policies[0].limit;
        setResponseHeader(res, STATE_HEADER, state(Math.min(rows, p.remaining + size - served)));
      } else {
        this.settle(counted, 'force', served - size);
      }
    });
  }

  /**
   * Takes `size` rows from the client's budget: one store step. Null when the store is down and
   * `page.onStoreError` is `'open'` (the page is served uncounted).
   */
  private async take(
    client: string,
    plan: BudgetPlan,
    size: number,
    req: ProtectionRequest,
    res: ProtectionResponse,
  ): Promise<{ counted: Counted; decision: RateLimitDecision } | null> {
    const policy = this.options.page?.onStoreError ?? 'local';
    let port: RateLimitPort = this.store.rateLimit;
    try {
      const decision = await port.apply(client, plan.policies, 'hit', size);
      return { counted: { port, client, plan }, decision };
    } catch (err) {
      storeFailure(this.point, FEATURE, req, res, plan.mode, policy, err);
      if (policy !== 'local') return null;
    }
    // The same budget in this process until the store is back (a full local table refuses).
    port = this.local;
    try {
      const decision = await port.apply(client, plan.policies, 'hit', size);
      return { counted: { port, client, plan }, decision };
    } catch (err) {
      storeFailure(this.point, FEATURE, req, res, plan.mode, 'closed', err);
      return null;
    }
  }

  /** Gives rows back (or counts extra ones) after the answer: not awaited, logged on failure. */
  private settle(counted: Counted, op: RateLimitOp, rows: number): void {
    counted.port.apply(counted.client, counted.plan.policies, op, rows).catch((err: unknown) => {
      this.logger.warn(`${FEATURE}: ${rows} rows could not be settled (${op}): ${String(err)}`);
    });
  }

  private planOf(route: PageDefaultOptions, budget: PageBudgetOptions): BudgetPlan {
    let plan = this.plans.get(route);
    if (plan === undefined) {
      const policies = [budgetPolicy(budget)] as const;
      plan = {
        policies,
        policyHeader: policyHeader(policies),
        mode: route.mode ?? this.options.page?.mode ?? 'enforce',
      };
      this.plans.set(route, plan);
    }
    return plan;
  }
}
