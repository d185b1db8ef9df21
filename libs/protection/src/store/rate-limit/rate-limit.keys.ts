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

/** The memory store's key of (client, policy). */
export function stateKey(client: string, p: RateLimitPolicy): string {
  return client + '\0' + policyKey(p);
}
