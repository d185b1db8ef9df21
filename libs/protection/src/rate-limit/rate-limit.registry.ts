import type { RateLimitRule } from './rate-limit-options.interface';

/**
 * Every `@RateLimit` rule by name, as the decorators declare them (at class load), so
 * `RateLimitService` can find a budget's limit, window and key by the name the app gave it.
 * Rules of one name share one budget; the first declared describes it.
 */
const rules = new Map<string, RateLimitRule>();

export function registerRule(rule: RateLimitRule): void {
  if (!rules.has(rule.name)) rules.set(rule.name, rule);
}

export function ruleNamed(name: string): RateLimitRule {
  const rule = rules.get(name);
  if (!rule) {
    const known = [...rules.keys()].map((n) => `"${n}"`).join(', ') || 'none';
    throw new Error(`RateLimitService: no @RateLimit rule is named "${name}"; rules: ${known}.`);
  }
  return rule;
}
