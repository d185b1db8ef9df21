import { UseGuards } from '@nestjs/common';
import { documentRoute } from '../core/swagger';
import type { RateLimitOptions, RateLimitRule } from './rate-limit-options.interface';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMITS } from './rate-limit.metadata';
import { rateLimitDocs } from './rate-limit.schema';

const KNOWN = new Set(['limit', 'window', 'key', 'name']);
/** Nest's metadata key for @UseGuards (GUARDS_METADATA in @nestjs/common/constants). */
const GUARDS_METADATA = '__guards__';

function normalize(o: RateLimitOptions): RateLimitRule {
  if (typeof o !== 'object' || o === null) throw new Error('@RateLimit: expected { limit, window, key?, name? }.');
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new Error(`@RateLimit: unknown option "${k}"; known: ${[...KNOWN].join(', ')}.`);
  if (!Number.isInteger(o.limit) || o.limit < 1 || o.limit > 1_000_000) {
    throw new Error(`@RateLimit: option "limit" must be a whole number from 1 to 1000000; got ${String(o.limit)}.`);
  }
  if (!Number.isInteger(o.window) || o.window < 1 || o.window > 31 * 86_400_000) {
    throw new Error(`@RateLimit: option "window" must be a whole number of ms from 1 to 2678400000; got ${String(o.window)}.`);
  }
  const key = o.key ?? 'ip';
  if (typeof key !== 'function' && !['ip', 'identity', 'user'].includes(key)) {
    throw new Error(`@RateLimit: option "key" must be 'ip', 'identity', 'user' or a function; got ${String(key)}.`);
  }
  const name = o.name ?? `${o.limit}-per-${o.window}ms`;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
    throw new Error(`@RateLimit: option "name" must be 1-64 letters, digits or _.:-; got ${String(name)}.`);
  }
  return Object.freeze({ limit: o.limit, windowMs: o.window, key, name });
}

/**
 * Sliding-window rate limit on a route or a controller; several apply together (e.g. 5 per
 * second and 100 per hour). 429 `TOO_MANY_REQUESTS` with `Retry-After` when exceeded; every
 * answer carries `RateLimit-Policy` and `RateLimit`.
 *
 * @example
 * ```ts
 * @Post('login') @RateLimit({ limit: 5, window: 1000 }) @RateLimit({ limit: 100, window: 3_600_000 })
 * login() { ... }
 * ```
 */
export function RateLimit(options: RateLimitOptions): MethodDecorator & ClassDecorator {
  const rule = normalize(options);
  return ((target: object, property?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    const rules = (Reflect.getMetadata(RATE_LIMITS, holder) as RateLimitRule[] | undefined) ?? [];
    if (rules.some((r) => r.name === rule.name)) throw new Error(`@RateLimit: two rules named "${rule.name}" on one target; give them names.`);
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
  }) as MethodDecorator & ClassDecorator;
}
