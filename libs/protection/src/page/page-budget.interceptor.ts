import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { tap } from 'rxjs/operators';
import { DecisionPoint } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import { getResponseHeader, requestUrl, setResponseHeader } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { abuseKey } from '../core/identity';
import { routeKey } from '../core/route-key';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { policyHeader, stateItem } from '../store/rate-limit/rate-limit.headers';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import type {
  RateLimitDecision,
  RateLimitOp,
  RateLimitPolicy,
  RateLimitPort,
} from '../store/rate-limit/rate-limit.port';
import { storeFailure } from '../store/store-failure.policy';
import { budgetPolicy, PAGE_BUDGET } from './page-budget.options';
import { SCRAPING_BUDGET, ScrapingBudgetException } from './page-budget.exception';
import type { PageDefaultOptions, ResolvedPageSettings } from './page-options.interface';
import { buildPageQuery } from './page-query.builder';
import { PageResult } from './page-result';
import { routePageSettings } from './page.options';

const FEATURE = 'PageBudget';

/** A budgeted route as the interceptor applies it, worked out on its first request. */
interface BudgetPlan {
  readonly settings: ResolvedPageSettings;
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
 * Applied by `@PageDefault({ budget })`, on that route only. Before the handler: a page beyond
 * `maxOffset` is a 400; the page's `size` rows are taken from the client's budget in one store
 * step (429 `SCRAPING_BUDGET` when they do not fit). After it: a `PageResult` with fewer rows
 * gives the rest back (one more store step, not awaited). An interceptor rather than a guard
 * because only it sees what the handler returned; routes without a budget never meet it.
 */
@Injectable()
export class PageBudgetInterceptor implements NestInterceptor {
  private readonly plans = new WeakMap<object, BudgetPlan | null>();
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  /** The in-process stand-in while the store is down (`page.onStoreError: 'local'`). */
  private readonly local: RateLimitMemory;
  private readonly point: DecisionPoint;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.local = new RateLimitMemory(options.memoryMax, 'page budgets (local)');
    this.point = new DecisionPoint('pageBudget', options.decisions);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const plan = context.getType() === 'http' ? this.planOf(context.getHandler()) : null;
    if (!plan) return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<ProtectionRequest>();
    const res = http.getResponse<ProtectionResponse>();
    // The handler's PageQuery (the pipe builds the same one): too deep is a 400 before counting.
    const { size } = buildPageQuery(requestUrl(req), plan.settings);
    // Per (client, route): the authenticated user, else the client address key; never a
    // session or User-Agent, which a scraper rotates for free.
    const client = `page:${routeKey(req)}\0${abuseKey(req, this.options.identity)}`;
    const taken = await this.take(client, plan, size, req, res);
    if (!taken) return next.handle();
    const { counted, decision } = taken;

    // Beside a @RateLimit guard's own policies, when the route has both.
    const policies = getResponseHeader(res, 'RateLimit-Policy');
    const before = getResponseHeader(res, 'RateLimit');
    const state = (remaining: number): string => {
      const p = decision.policies[0] ?? { remaining: 0, resetMs: 0, retryMs: 0 };
      const item = stateItem(plan.policies[0], { ...p, remaining });
      return before ? `${before}, ${item}` : item;
    };
    setResponseHeader(
      res,
      'RateLimit-Policy',
      policies ? `${policies}, ${plan.policyHeader}` : plan.policyHeader,
    );
    const remaining = decision.policies[0]?.remaining ?? 0;
    setResponseHeader(res, 'RateLimit', state(remaining));
    if (!decision.allowed) {
      const retryMs = decision.policies[0]?.retryMs || 1000;
      const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
      this.point.refusePreset(
        req,
        res,
        plan.mode,
        SCRAPING_BUDGET,
        undefined,
        (body, status) => new ScrapingBudgetException(retryAfter, body, status),
      );
      // Shadow mode: served, and nothing was taken, so nothing is settled after the handler.
      return next.handle();
    }
    this.point.record(req, counted.port === this.local ? 'degraded' : 'allowed');
    return next.handle().pipe(
      tap((value) => {
        if (!(value instanceof PageResult)) return;
        // Rows actually served: a short page gives the rest back, an overlong one counts it.
        const served = value.data.length;
        if (served < size) {
          this.settle(counted, 'refund', size - served);
          const rows = plan.policies[0].limit;
          setResponseHeader(res, 'RateLimit', state(Math.min(rows, remaining + size - served)));
        } else if (served > size) {
          this.settle(counted, 'force', served - size);
        }
      }),
    );
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

  private planOf(handler: object): BudgetPlan | null {
    let plan = this.plans.get(handler);
    if (plan === undefined) {
      const route = Reflect.getMetadata(PAGE_BUDGET, handler) as PageDefaultOptions | undefined;
      const budget = route?.budget;
      if (route && budget) {
        const policies = [budgetPolicy(budget)] as const;
        plan = {
          settings: routePageSettings(this.options.page?.defaults, route),
          policies,
          policyHeader: policyHeader(policies),
          mode: route.mode ?? this.options.page?.mode ?? 'enforce',
        };
      } else {
        plan = null;
      }
      this.plans.set(handler, plan);
    }
    return plan;
  }
}
