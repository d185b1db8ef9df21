import { OptionReader, optionKeys } from '../core/option-reader';
import { rejectionResolver } from '../core/option-resolvers';
import type { ResolvedRejectionOptions } from '../core/option-reader';
import type { RejectionModuleOptions } from '../core/option-resolvers';
import type { RateLimitOptions, RateLimitRule } from './rate-limit-options.interface';

/**
 * Module-level `rateLimit` options: `onStoreError` defaults to `'local'` (while the store is
 * down, this process applies the same rules on its own); `'open'` lets requests through,
 * `'closed'` answers 503.
 */
export type RateLimitModuleOptions = RejectionModuleOptions;
export type ResolvedRateLimitOptions = ResolvedRejectionOptions;
export const resolveRateLimitOptions = rejectionResolver('rateLimit', 'local');

const ROUTE_KEYS = optionKeys<RateLimitOptions>()('limit window key name');

/** One `@RateLimit` rule, validated when the class loads. */
export function resolveRateLimitRule(options: RateLimitOptions): RateLimitRule {
  const r = new OptionReader('@RateLimit');
  const v = r.object('', options, ROUTE_KEYS, '{ limit, window, key?, name? }');
  const limit = r.int(
    'limit',
    v.limit ?? r.fail('limit', undefined, 'a whole number from 1 to 1000000'),
    0,
    1,
    1_000_000,
  );
  const windowMs = r.int(
    'window',
    v.window ?? r.fail('window', undefined, 'a whole number of ms from 1 to 2678400000'),
    0,
    1,
    31 * 86_400_000,
  );
  const key =
    typeof v.key === 'function'
      ? (v.key as RateLimitRule['key'])
      : r.oneOf('key', v.key, ['ip', 'identity', 'user'] as const, 'ip');
  return Object.freeze({
    limit,
    windowMs,
    key,
    name: r.name('name', v.name, `${limit}-per-${windowMs}ms`),
  });
}
