import type { AlgorithmPolicy } from './algorithms';
import type { RateLimitDecision, RateLimitOp } from './rate-limit.port';

/*
 * The rate-limit script's arguments and reply (see rate-limit-algorithms.lua.ts). Few and
 * short: the client converts, measures and copies every argument and parses every integer of
 * the reply, which costs more than the script's own string splitting.
 */

/**
 * Appends the script's ARGV to its keys: `now op cost member`, then one
 * `algorithm limit windowMs burst` per policy. `now` '' asks for the Redis server's clock;
 * `member` is '' when no policy is a log.
 */
export function withScriptArgs(
  keys: string[],
  now: number | '',
  op: RateLimitOp,
  cost: number,
  member: string,
  policies: readonly AlgorithmPolicy[],
): string[] {
  keys.push(`${now} ${op} ${cost} ${member}`);
  for (const p of policies) keys.push(`${p.algorithm} ${p.limit} ${p.windowMs} ${p.burst ?? ''}`);
  return keys;
}

/**
 * The decision in the script's reply: three integers per policy (remaining, reset, retry),
 * the first one negative (-1 - remaining) when the operation was refused.
 */
export function decodeReply(reply: readonly unknown[], count: number): RateLimitDecision {
  const first = Number(reply[0]);
  const allowed = first >= 0;
  const policies = new Array<RateLimitDecision['policies'][number]>(count);
  for (let i = 0; i < count; i++) {
    const remaining = i === 0 ? (allowed ? first : -1 - first) : Number(reply[i * 3]);
    policies[i] = {
      remaining,
      resetMs: Number(reply[i * 3 + 1]),
      retryMs: Number(reply[i * 3 + 2]),
    };
  }
  return { allowed, policies };
}
