import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlgorithmPolicy, AlgorithmState, WindowState } from './algorithm.types';
import { decide } from './decide';
import { run, T0 } from './decide-steps.spec';

describe('window counter', () => {
  const window: AlgorithmPolicy = { algorithm: 'window', limit: 4, windowMs: 1000 };

  it('weights the previous bucket by the share of it still inside the window', () => {
    const state = run(window, [
      // Bucket 0. A lone request leaves the estimate 2 windows later (it weighs less and less
      // through bucket 1).
      [0, 'hit', 1, true, 3, 2000, 0, 2000],
      // est 4: one place frees when the weight of bucket 0 falls to 3/4, 250 ms into bucket 1.
      [0, 'hit', 3, true, 0, 1250, 0, 2000],
      [500, 'hit', 1, false, 0, 750, 750, null],
      // Bucket 1, e = 0: est = 4 * 1000/1000.
      [500, 'hit', 1, false, 0, 250, 250, null],
      // e = 250: est = 3, so one fits; then 4 * 750/1000 + 1 = 4.
      [250, 'hit', 1, true, 0, 250, 0, 1750],
      // e = 500: est = 4 * 500/1000 + 1 = 3; 2 more fit when est falls to 2, at e = 750.
      [250, 'check', 2, false, 1, 250, 250, null],
      [0, 'hit', 5, false, 1, 250, 1000, null],
      // The current bucket gives back first (1), then the previous (4 -> 3): est 1.5; est 1
      // at e = 667 (3 * 333/1000 = 0.999).
      [0, 'refund', 2, true, 2, 167, 0, 1500],
      // curr 6, prev 3: est 7.5; 3 again only halfway through bucket 2 (6 * 500/1000).
      [0, 'force', 6, true, 0, 1000, 0, 1500],
      // Bucket 2, e = 500: est = 6 * 500/1000 = 3; 2 at e = 667 (6 * 333/1000 = 1.998).
      [1000, 'check', 0, true, 1, 167, 0, null],
      // Bucket 3: bucket 1 is 2 buckets back, everything is stale.
      [1000, 'check', 4, true, 4, 0, 0, null],
      [0, 'refund', 1, true, 4, 0, 0, 0],
    ]);
    assert.equal(state, undefined);
  });

  it('forgets a burst at the very end of a bucket too early (the approximation)', () => {
    run({ algorithm: 'window', limit: 2, windowMs: 1000 }, [
      [999, 'hit', 2, true, 0, 501, 0, 1001],
      // Bucket 1, e = 0: est = 2, then falls by 2/1000 per ms.
      [1, 'hit', 1, false, 0, 500, 500, null],
      [500, 'hit', 1, true, 0, 500, 0, 1500],
    ]);
  });

  it('state: the bucket index and both counts; a clock gone back counts the newer bucket', () => {
    const { writes } = decide('hit', 3, T0 + 1500, [window], [undefined]);
    const i = (T0 + 1000) / 1000;
    assert.deepEqual(writes, [{ state: { i, curr: 3, prev: 0 }, ttlMs: 1500 }]);
    const ahead: WindowState = { i: i + 5, curr: 3, prev: 1 };
    assert.equal(
      decide('check', 0, T0 + 1500, [window], [ahead]).decision.policies[0]?.remaining,
      0,
    );
  });
});

/** Every ms from `from` to `to`, sends cost-1 hits until one is refused; the admitted times. */
function greedy(policy: AlgorithmPolicy, times: Iterable<number>, perMs = Infinity): number[] {
  let state: AlgorithmState | undefined;
  const admitted: number[] = [];
  for (const t of times) {
    for (let n = 0; n < perMs; n++) {
      const { decision, writes } = decide('hit', 1, t, [policy], [state]);
      if (!decision.allowed) break;
      state = writes?.[0]?.state;
      admitted.push(t);
    }
  }
  return admitted;
}

/** The most admitted times (sorted) inside any sliding window (t - w, t] with t >= `after`. */
function maxInWindow(admitted: readonly number[], w: number, after = -Infinity): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < admitted.length; to++) {
    while ((admitted[from] as number) <= (admitted[to] as number) - w) from++;
    if ((admitted[to] as number) >= after) best = Math.max(best, to - from + 1);
  }
  return best;
}

/** A small seeded PRNG (mulberry32): the same sequences on every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number, step = 1): number[] =>
  Array.from({ length: Math.ceil((to - from) / step) }, (_, k) => from + k * step);

describe('window counter: how far the approximation goes (figures for the docs)', () => {
  const L = 100;
  const W = 1000;
  const policy: AlgorithmPolicy = { algorithm: 'window', limit: L, windowMs: W };

  it('admits fewer than 2 * limit in any sliding window, even against adversarial timing', () => {
    let worst = 0;
    let worstAt = '';
    // A burst at offset o of a bucket, then as many as allowed every ms for 3 windows.
    for (const o of [0, 1, 250, 500, 750, 900, 990, 998, 999]) {
      const got = maxInWindow(greedy(policy, range(T0 + o, T0 + 4 * W)), W);
      if (got > worst) [worst, worstAt] = [got, `burst at ms ${o} of a bucket, then greedy`];
    }
    // Random arrival times and batch sizes.
    const random = mulberry32(42);
    for (let run = 0; run < 200; run++) {
      const times = range(T0, T0 + 5 * W).filter(() => random() < 0.02);
      const got = maxInWindow(greedy(policy, times, 1 + Math.floor(random() * 2 * L)), W);
      if (got > worst) [worst, worstAt] = [got, `random sequence ${run}`];
    }
    console.log(
      `window counter, limit ${L} per ${W} ms: worst case ${worst} admitted in one sliding ` +
        `window (${(worst / L).toFixed(2)} x limit; ${worstAt})`,
    );
    assert.ok(worst < 2 * L, `${worst} admitted`);
    assert.ok(worst >= 2 * L - 2, `the bound is tight: ${worst}`);
  });

  it('stays at or under the limit with evenly spread traffic', () => {
    // Steady state: after the first 3 windows. The start is not even from the counter's view:
    // traffic that begins late in a bucket packs that bucket's requests into its end.
    const steady = T0 + 3 * W;
    const rows: string[] = [];
    for (const rate of [0.5, 0.9, 1, 1.1, 1.5, 2, 5, 20]) {
      // `rate * L` requests per window, evenly spaced, starting at several phases of a bucket.
      const gap = W / (rate * L);
      let maxSteady = 0;
      let maxStart = 0;
      let sumCounter = 0;
      let sumExact = 0;
      for (const phase of [0, 137, 500, 863]) {
        const times = range(0, 20 * W, gap).map((t) => T0 + phase + Math.floor(t));
        const counter = greedy(policy, times, 1);
        const exact = greedy({ ...policy, algorithm: 'log' }, times, 1);
        maxSteady = Math.max(maxSteady, maxInWindow(counter, W, steady));
        maxStart = Math.max(maxStart, maxInWindow(counter, W));
        sumCounter += counter.filter((t) => t >= steady).length;
        sumExact += exact.filter((t) => t >= steady).length;
      }
      const diff = (sumCounter - sumExact) / sumExact;
      rows.push(
        `  ${rate.toFixed(1)} x limit: admits ${(100 * diff).toFixed(2)}% vs the exact log, ` +
          `at most ${maxSteady} in a sliding window (from the start: ${maxStart})`,
      );
      if (rate < 1) assert.equal(sumCounter, sumExact, `rate ${rate}: nothing refused`);
      assert.ok(maxSteady <= L, `rate ${rate}: ${maxSteady} in a window`);
      assert.ok(Math.abs(diff) < 0.02, `rate ${rate}: ${diff}`);
    }
    console.log(
      `window counter, limit ${L} per ${W} ms, evenly spread traffic (steady state, 4 phases):\n` +
        rows.join('\n'),
    );
  });
});
