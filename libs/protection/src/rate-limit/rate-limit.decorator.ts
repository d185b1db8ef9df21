import { UseGuards } from '@nestjs/common';
import { documentRoute } from '../core/swagger';
import type { RateLimitOptions, RateLimitRule } from './rate-limit-options.interface';
import { resolveRateLimitRule } from './rate-limit.options';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMITS } from './rate-limit.metadata';
import { rateLimitDocs } from './rate-limit.docs';
import { registerRule } from './rate-limit.registry';

/** Nest's metadata key for @UseGuards (GUARDS_METADATA in @nestjs/common/constants). */
const GUARDS_METADATA = '__guards__';

/**
 * Rate limit on a route or a controller; several apply together (e.g. 5 per second and 100 per
 * hour). 429 `TOO_MANY_REQUESTS` with `Retry-After` when exceeded; every answer carries
 * `RateLimit-Policy` and `RateLimit`. Token bucket (`'gcra'`), sliding-window counter
 * (`'window'`) or exact sliding log (`'log'`); costs, per-request limits (plans) and counting
 * only failed answers (logins).
 *
 * @example
 * ```ts
 * @Post('login') @RateLimit({ limit: 5, window: 1000 }) @RateLimit({ limit: 100, window: 3_600_000 })
 * login() { ... }
 * ```
 */
export function RateLimit(options: RateLimitOptions): MethodDecorator & ClassDecorator {
  const rule = resolveRateLimitRule(options);
  return (target: object, property?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    const rules = (Reflect.getMetadata(RATE_LIMITS, holder) as RateLimitRule[] | undefined) ?? [];
    if (rules.some((r) => r.name === rule.name))
      throw new Error(`@RateLimit: two rules named "${rule.name}" on one target; give them names.`);
    registerRule(rule);
    // Decorators apply bottom-up: prepend, so the rules read in source order.
    Reflect.defineMetadata(RATE_LIMITS, [rule, ...rules], holder);
    // One guard however many rules: it reads them all.
    const guards = (Reflect.getMetadata(GUARDS_METADATA, holder) as unknown[] | undefined) ?? [];
    if (!guards.includes(RateLimitGuard)) {
      if (descriptor) UseGuards(RateLimitGuard)(target, property as string | symbol, descriptor);
      else UseGuards(RateLimitGuard)(target as new (...args: never[]) => unknown);
    }
    if (descriptor && property !== undefined) {
      documentRoute('rateLimit', rateLimitDocs(rule))(target, property, descriptor);
    }
  };
}
