import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlgorithmPolicy, AlgorithmState, GcraState } from './algorithm.types';
import { decide } from './decide';
import { run, T0 } from './decide-steps.spec';

describe('gcra', () => {
  // 5 per second: T = 200 ms per request.
  const gcra: AlgorithmPolicy = { algorithm: 'gcra', limit: 5, windowMs: 1000 };

  it('lets a burst through at once, then one request per emission interval', () => {
    run(gcra, [
      [0, 'hit', 1, true, 4, 200, 0, 200],
      [0, 'hit', 1, true, 3, 200, 0, 400],
      [0, 'hit', 1, true, 2, 200, 0, 600],
      [0, 'hit', 1, true, 1, 200, 0, 800],
      [0, 'hit', 1, true, 0, 200, 0, 1000],
      [0, 'hit', 1, false, 0, 200, 200, null],
      [199, 'hit', 1, false, 0, 1, 1, null],
      [1, 'hit', 1, true, 0, 200, 0, 1000],
      [200, 'hit', 1, true, 0, 200, 0, 1000],
      [1000, 'hit', 1, true, 4, 200, 0, 200],
    ]);
  });

  it('a smaller burst refills at the same rate', () => {
    run({ ...gcra, burst: 2 }, [
      [0, 'hit', 1, true, 1, 200, 0, 200],
      [0, 'hit', 1, true, 0, 200, 0, 400],
      [0, 'hit', 1, false, 0, 200, 200, null],
      [200, 'hit', 1, true, 0, 200, 0, 400],
      [400, 'check', 0, true, 2, 0, 0, null],
    ]);
  });

  it('costs, check, force and refund', () => {
    const state = run(gcra, [
      [0, 'hit', 3, true, 2, 200, 0, 600],
      // 600 + 600 > 1000: the debt must fall by 200 first.
      [0, 'hit', 3, false, 2, 200, 200, null],
      // More than the burst can ever hold.
      [0, 'hit', 6, false, 2, 200, 1000, null],
      [0, 'check', 2, true, 2, 200, 0, null],
      [0, 'force', 4, true, 0, 600, 0, 1400],
      // Over the burst: even a peek is refused until the debt is back to 1000.
      [0, 'check', 0, false, 0, 600, 400, null],
      [0, 'refund', 2, true, 0, 200, 0, 1000],
      [100, 'check', 1, false, 0, 100, 100, null],
      [0, 'refund', 10, true, 5, 0, 0, 0],
    ]);
    assert.equal(state, undefined, 'an empty bucket is deleted');
  });

  it('keeps the debt and the time apart: a state is { at, debt }', () => {
    const { writes } = decide('hit', 2, T0 + 7, [gcra], [undefined]);
    assert.deepEqual(writes, [{ state: { at: T0 + 7, debt: 400 }, ttlMs: 400 }]);
    const stale: GcraState = { at: T0 - 5000, debt: 1000 };
    assert.deepEqual(
      decide('check', 0, T0, [gcra], [stale]).decision,
      decide('check', 0, T0, [gcra], [undefined]).decision,
      'a paid-off state reads as empty',
    );
  });

  it('fits exactly at fractional intervals (T = 1000/3 ms)', () => {
    run({ algorithm: 'gcra', limit: 3, windowMs: 1000 }, [
      [0, 'hit', 1, true, 2, 334, 0, 334],
      [0, 'hit', 1, true, 1, 334, 0, 667],
      [0, 'hit', 1, true, 0, 334, 0, 1000],
      [0, 'hit', 1, false, 0, 334, 334, null],
      [1000, 'hit', 3, true, 0, 334, 0, 1000],
      [1000, 'check', 3, true, 3, 0, 0, null],
    ]);
  });

  it('admits exactly the burst of a million cost-1 hits in one ms (T = 1 µs)', () => {
    const fine: AlgorithmPolicy = { algorithm: 'gcra', limit: 1_000_000, windowMs: 1000 };
    let state: AlgorithmState | undefined;
    let admitted = 0;
    for (let i = 0; i < 1_000_010; i++) {
      const { decision, writes } = decide('hit', 1, T0, [fine], [state]);
      if (decision.allowed) admitted++;
      if (writes) state = writes[0]?.state;
    }
    assert.equal(admitted, 1_000_000);
    // A millisecond later, a thousand more.
    const later = decide('check', 0, T0 + 1, [fine], [state]).decision.policies[0];
    assert.deepEqual(later, { remaining: 1000, resetMs: 1, retryMs: 0 });
  });
});
