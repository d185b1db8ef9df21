import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlgorithmPolicy, AlgorithmState, PolicyResult, RateLimitOp } from './algorithm.types';
import { decide } from './decide';

const T0 = 1_800_000_000_000;

/**
 * [ms later, op, cost, allowed, remaining, resetMs, retryMs, TTL written]; the TTL is 0 for a
 * delete, null when nothing is written.
 */
type Step = [number, RateLimitOp, number, boolean, number, number, number, number | null];

/** Runs `steps` against one policy, keeping its state as a store would. */
function run(policy: AlgorithmPolicy, steps: readonly Step[]): AlgorithmState | undefined {
  let now = T0;
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

describe('sliding log', () => {
  it('slides the window: a place frees when the oldest hit leaves it (as before)', () => {
    run({ algorithm: 'log', limit: 2, windowMs: 1000 }, [
      [0, 'hit', 1, true, 1, 1000, 0, 1000],
      [400, 'hit', 1, true, 0, 600, 0, 1000],
      [599, 'hit', 1, false, 0, 1, 1, null],
      [1, 'hit', 1, true, 0, 400, 0, 1000],
    ]);
  });

  it('costs, check, force and refund', () => {
    const log: AlgorithmPolicy = { algorithm: 'log', limit: 3, windowMs: 1000 };
    const state = run(log, [
      [0, 'hit', 1, true, 2, 1000, 0, 1000],
      // Entries [0, 400, 400]
      [400, 'hit', 2, true, 0, 600, 0, 1000],
      [599, 'hit', 1, false, 0, 1, 1, null],
      // t = 1000: entry 0 left. 2 + 2 > 3 until the entries at 400 leave.
      [1, 'hit', 2, false, 1, 400, 400, null],
      [0, 'hit', 4, false, 1, 400, 1000, null],
      [0, 'check', 1, true, 1, 400, 0, null],
      // [400, 400, 1000, 1000, 1000]: one place frees when 3 have left.
      [0, 'force', 3, true, 0, 1000, 0, 1000],
      // Even a peek is refused over the limit, until 2 have left.
      [0, 'check', 0, false, 0, 1000, 400, null],
      // The newest go back: [400, 400, 1000].
      [0, 'refund', 2, true, 0, 400, 0, 1000],
      [400, 'check', 0, true, 2, 600, 0, null],
      [0, 'refund', 5, true, 3, 0, 0, 0],
    ]);
    assert.equal(state, undefined, 'an empty log is deleted');
  });

  it('keeps the log sorted, oldest first, one entry per unit of cost', () => {
    const log: AlgorithmPolicy = { algorithm: 'log', limit: 10, windowMs: 1000 };
    const first = decide('hit', 2, T0, [log], [undefined]).writes?.[0];
    assert.deepEqual(first, { state: [T0, T0], ttlMs: 1000 });
    const back = decide('force', 1, T0 - 5, [log], [first?.state]).writes?.[0];
    assert.deepEqual(back, { state: [T0 - 5, T0, T0], ttlMs: 1005 }, 'the clock went back');
  });
});
