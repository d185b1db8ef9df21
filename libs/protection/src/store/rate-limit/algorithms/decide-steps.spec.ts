import assert from 'node:assert/strict';
import type { AlgorithmPolicy, AlgorithmState, PolicyResult, RateLimitOp } from './algorithm.types';
import { decide } from './decide';

export const T0 = 1_800_000_000_000;

/**
 * [ms later, op, cost, allowed, remaining, resetMs, retryMs, TTL written]; the TTL is 0 for a
 * delete, null when nothing is written.
 */
export type Step = [number, RateLimitOp, number, boolean, number, number, number, number | null];

/** Runs `steps` against one policy from `start`, keeping its state as a store would. */
export function run(
  policy: AlgorithmPolicy,
  steps: readonly Step[],
  start = T0,
): AlgorithmState | undefined {
  let now = start;
  let state: AlgorithmState | undefined;
  for (const [i, [later, op, cost, ...want]] of steps.entries()) {
    now += later;
    const { decision, writes } = decide(op, cost, now, [policy], [state]);
    const p = decision.policies[0] as PolicyResult;
    const write = writes?.[0];
    const ttl = write === undefined ? null : write.ttlMs;
    assert.deepEqual([decision.allowed, p.remaining, p.resetMs, p.retryMs, ttl], want, `step ${i}`);
    if (write) state = write.state;
  }
  return state;
}
