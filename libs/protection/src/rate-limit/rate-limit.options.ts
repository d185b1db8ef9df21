import { OptionError, OptionReader, optionKeys, show } from '../core/option-reader';
import type { ProtectionRequest } from '../core/http.types';
import type { ResolvedRejectionOptions } from '../core/option-reader';
import type { RejectionModuleOptions } from '../core/option-resolvers';
import type {
  PerRequest,
  RateLimitAlgorithm,
  RateLimitOptions,
  RateLimitRule,
} from './rate-limit-options.interface';
import type { RateLimitPolicy } from '../store/rate-limit/rate-limit.port';

/**
 * Module-level `rateLimit` options: `onStoreError` defaults to `'local'` (while the store is
 * down, this process applies the same rules on its own); `'open'` lets requests through,
 * `'closed'` answers 503. `algorithm`: the default of rules that name none.
 */
export interface RateLimitModuleOptions extends RejectionModuleOptions {
  /**
   * `'auto'`: `'gcra'` above 100 requests per window (and for limits given as a function),
   * `'log'` up to 100. @default 'auto'
   */
  algorithm?: 'auto' | RateLimitAlgorithm;
}

export interface ResolvedRateLimitOptions extends ResolvedRejectionOptions {
  readonly algorithm: 'auto' | RateLimitAlgorithm;
}

const ALGORITHMS = ['gcra', 'window', 'log'] as const;
const MODULE_KEYS = ['response', 'onStoreError', 'algorithm', 'mode'] as const;

export function resolveRateLimitOptions(
  r: OptionReader,
  raw: unknown,
): ResolvedRateLimitOptions | null {
  const v = r.section('rateLimit', raw, MODULE_KEYS);
  if (!v) return null;
  const rejection = r.rejection(
    'rateLimit',
    { response: v.response, onStoreError: v.onStoreError, mode: v.mode },
    'local',
  );
  if (!rejection) return null;
  return Object.freeze({
    ...rejection,
    algorithm: r.oneOf('rateLimit.algorithm', v.algorithm, ['auto', ...ALGORITHMS], 'auto'),
  });
}

/** Above this many requests per window, `'auto'` picks the constant-state `'gcra'`. */
export const LOG_UP_TO = 100;

/** The algorithm a rule counts with under the module default. */
export function algorithmOf(
  rule: RateLimitRule,
  moduleDefault: 'auto' | RateLimitAlgorithm,
): RateLimitAlgorithm {
  if (rule.algorithm) return rule.algorithm;
  if (moduleDefault !== 'auto') return moduleDefault;
  return typeof rule.limit === 'number' && rule.limit <= LOG_UP_TO ? 'log' : 'gcra';
}

export const MAX_LIMIT = 1_000_000;
export const MAX_WINDOW_MS = 31 * 86_400_000;

const ROUTE_KEYS = optionKeys<RateLimitOptions>()(
  'limit window key name algorithm burst cost count mode',
);

/** One `@RateLimit` rule, validated when the class loads. */
export function resolveRateLimitRule(options: RateLimitOptions): RateLimitRule {
  const r = new OptionReader('@RateLimit');
  const v = r.object('', options, ROUTE_KEYS, '{ limit, window, key?, name?, algorithm?, ... }');
  const limit = perRequest(r, 'limit', v.limit, 1, MAX_LIMIT, true);
  const windowMs = perRequest(r, 'window', v.window, 1, MAX_WINDOW_MS, true);
  const key =
    typeof v.key === 'function'
      ? (v.key as RateLimitRule['key'])
      : r.oneOf('key', v.key, ['ip', 'identity', 'user'] as const, 'ip');
  const algorithm =
    v.algorithm === undefined ? undefined : r.oneOf('algorithm', v.algorithm, ALGORITHMS, 'gcra');
  if (v.burst !== undefined && algorithm !== 'gcra') {
    r.fail(
      'burst',
      v.burst,
      "no burst unless algorithm is 'gcra' (the other algorithms have none)",
    );
  }
  const name =
    typeof limit === 'number' && typeof windowMs === 'number'
      ? r.name('name', v.name, `${limit}-per-${windowMs}ms`)
      : (v.name as string | undefined) === undefined
        ? r.fail('name', undefined, 'a name when limit or window is a function')
        : r.name('name', v.name, '');
  return Object.freeze({
    name,
    key,
    limit,
    windowMs,
    algorithm,
    burst: v.burst === undefined ? undefined : r.int('burst', v.burst, 0, 1, MAX_LIMIT),
    cost: perRequest(r, 'cost', v.cost ?? 1, 0, MAX_LIMIT, false),
    count: r.oneOf('count', v.count, ['all', 'failed', 'succeeded'] as const, 'all'),
    mode: r.mode('mode', v.mode),
  });
}

function perRequest(
  r: OptionReader,
  path: string,
  value: unknown,
  min: number,
  max: number,
  required: boolean,
): PerRequest<number> {
  if (typeof value === 'function') return value as (req: ProtectionRequest) => number;
  if (value === undefined && required)
    r.fail(path, value, `a whole number from ${min} to ${max}, or a function of the request`);
  return r.int(path, value, 0, min, max);
}

/**
 * The value of a per-request option for this request. A function returning something else
 * than a whole number in range is a bug of the app: it fails the request, naming the rule.
 */
export function valueFor(
  rule: RateLimitRule,
  option: 'limit' | 'window' | 'cost',
  value: PerRequest<number>,
  req: ProtectionRequest,
): number {
  if (typeof value === 'number') return value;
  const n = value(req);
  const [min, max] =
    option === 'window' ? [1, MAX_WINDOW_MS] : [option === 'cost' ? 0 : 1, MAX_LIMIT];
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new OptionError(
      `@RateLimit "${rule.name}": ${option}(req) returned ${show(n)}; return a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

/**
 * A rule as the store counts it, with this request's limit and window (`limit`/`windowMs`
 * given when the rule works them out per request).
 */
export function resolvedPolicy(
  rule: RateLimitRule,
  algorithm: RateLimitAlgorithm,
  limit?: number,
  windowMs?: number,
): RateLimitPolicy {
  const l = limit ?? fixed(rule, 'limit', rule.limit);
  const w = windowMs ?? fixed(rule, 'window', rule.windowMs);
  if (!Number.isInteger(l) || l < 1 || l > MAX_LIMIT)
    throw new RangeError(
      `@RateLimit "${rule.name}": limit ${l} is not a whole number from 1 to ${MAX_LIMIT}`,
    );
  if (!Number.isInteger(w) || w < 1 || w > MAX_WINDOW_MS)
    throw new RangeError(
      `@RateLimit "${rule.name}": window ${w} is not a whole number of ms from 1 to ${MAX_WINDOW_MS}`,
    );
  return { name: rule.name, algorithm, limit: l, windowMs: w, burst: rule.burst ?? l };
}

function fixed(rule: RateLimitRule, option: 'limit' | 'window', value: PerRequest<number>): number {
  if (typeof value === 'number') return value;
  throw new TypeError(
    `RateLimitService: rule "${rule.name}" works its ${option} out per request; pass it: { ${option}: ... }`,
  );
}
