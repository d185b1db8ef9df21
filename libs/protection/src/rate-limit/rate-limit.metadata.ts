import type { RateLimitRule } from './rate-limit-options.interface';

/** Metadata key of the `@RateLimit` rules of a method or a class (an array: several apply). */
export const RATE_LIMITS = 'nest-protection:rate-limits';

export function rateLimitsOf(target: object): readonly RateLimitRule[] {
  return (Reflect.getMetadata(RATE_LIMITS, target) as RateLimitRule[] | undefined) ?? [];
}
