import type { RateLimitPolicy } from './rate-limit.port';

const LETTER = { gcra: 'g', window: 'w', log: 'l' } as const;

/**
 * The part of a state's key that names the policy: its name, algorithm and window. A rule that
 * changes algorithm or window (a deploy, a tier given per request) starts a fresh state rather
 * than reading one it cannot interpret.
 */
export function policyKey(p: RateLimitPolicy): string {
  return `${p.name}:${LETTER[p.algorithm]}${p.windowMs}`;
}

// A route's fixed policies are the same objects on every request: their key part is made once.
const suffixes = new WeakMap<RateLimitPolicy, string>();

/** The memory store's key of (client, policy). */
export function stateKey(client: string, p: RateLimitPolicy): string {
  let suffix = suffixes.get(p);
  if (suffix === undefined) suffixes.set(p, (suffix = '\0' + policyKey(p)));
  return client + suffix;
}
