import type { OptionReader } from '../core/option-reader';
import type { RateLimitPolicy } from '../store/rate-limit/rate-limit.port';
import type { PageBudgetOptions } from './page-options.interface';

export const MAX_BUDGET_ROWS = 1_000_000;
export const MIN_BUDGET_WINDOW_MS = 1000;
export const MAX_BUDGET_WINDOW_MS = 31 * 86_400_000;

/** The budget's policy name in the `RateLimit-Policy` and `RateLimit` headers. */
export const BUDGET_POLICY = 'page-budget';

/** Metadata key of a budgeted handler's checked `@PageDefault` options. */
export const PAGE_BUDGET = 'nest-protection:page-budget';

/** `@PageDefault({ budget })`: `{ rows, windowMs }`, both required, checked and frozen. */
export function readBudget(r: OptionReader, value: unknown): PageBudgetOptions {
  const v = r.object(
    'budget',
    value,
    ['rows', 'windowMs'] as const,
    'an object { rows, windowMs }',
  );
  const whole = (path: string, x: unknown, min: number, max: number, what: string): number => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)
      r.fail(path, x, `${what} from ${min} to ${max}`);
    return x;
  };
  return Object.freeze({
    rows: whole(
      'budget.rows',
      v.rows,
      1,
      MAX_BUDGET_ROWS,
      'a positive whole number of rows (one client may read per window)',
    ),
    windowMs: whole(
      'budget.windowMs',
      v.windowMs,
      MIN_BUDGET_WINDOW_MS,
      MAX_BUDGET_WINDOW_MS,
      'a whole number of ms (at least one second, at most 31 days)',
    ),
  });
}

/**
 * The budget as the rate-limit store counts it: a two-bucket sliding-window counter (constant
 * state per client), one unit per row.
 */
export function budgetPolicy(budget: PageBudgetOptions): RateLimitPolicy {
  return {
    name: BUDGET_POLICY,
    algorithm: 'window',
    limit: budget.rows,
    windowMs: budget.windowMs,
    burst: budget.rows,
  };
}
