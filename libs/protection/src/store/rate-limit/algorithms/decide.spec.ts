import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlgorithmPolicy, AlgorithmState } from './algorithm.types';
import { decide } from './decide';

const T0 = 1_800_000_000_000;

describe('decide: several policies at once', () => {
  // One a 100 ms (gcra) and 3 a minute (log).
  const burst: AlgorithmPolicy = { algorithm: 'gcra', limit: 1, windowMs: 100 };
  const minute: AlgorithmPolicy = { algorithm: 'log', limit: 3, windowMs: 60_000 };
  const both = [burst, minute];

  it('counts a hit in every policy only when all have room', () => {
    let states: Array<AlgorithmState | undefined> = [undefined, undefined];
    const first = decide('hit', 1, T0, both, states);
    assert.equal(first.decision.allowed, true);
    states = (first.writes ?? []).map((w) => w.state);
    assert.deepEqual(states, [{ at: T0, debt: 100 }, [T0]]);

    const refused = decide('hit', 1, T0 + 50, both, states);
    assert.deepEqual(refused, {
      decision: {
        allowed: false,
        policies: [
          { remaining: 0, resetMs: 50, retryMs: 50 },
          // The minute had room: the refused request was not counted there.
          { remaining: 2, resetMs: 59_950, retryMs: 0 },
        ],
      },
      writes: undefined,
    });

    const next = decide('hit', 1, T0 + 100, both, states);
    assert.equal(next.decision.allowed, true);
    assert.deepEqual(
      next.decision.policies.map((p) => p.remaining),
      [0, 1],
    );
  });

  it('gives every refusing policy its own wait, and the window for a cost it can never hold', () => {
    const states = [{ at: T0, debt: 100 }, [T0, T0, T0]];
    const { decision } = decide('hit', 2, T0 + 10, both, states);
    assert.deepEqual(decision, {
      allowed: false,
      policies: [
        { remaining: 0, resetMs: 90, retryMs: 100 },
        { remaining: 0, resetMs: 59_990, retryMs: 59_990 },
      ],
    });
  });

  it('check tests without counting; force and refund count everywhere, unconditionally', () => {
    const empty = [undefined, undefined];
    const check = decide('check', 1, T0, both, empty);
    assert.equal(check.decision.allowed, true);
    assert.equal(check.writes, undefined);
    assert.deepEqual(
      check.decision.policies.map((p) => p.remaining),
      [1, 3],
    );

    const force = decide('force', 5, T0, both, empty);
    assert.equal(force.decision.allowed, true);
    assert.deepEqual(force.writes, [
      { state: { at: T0, debt: 500 }, ttlMs: 500 },
      { state: [T0, T0, T0, T0, T0], ttlMs: 60_000 },
    ]);
    const forced = (force.writes ?? []).map((w) => w.state);
    assert.deepEqual(decide('check', 0, T0, both, forced).decision, {
      allowed: false,
      policies: [
        { remaining: 0, resetMs: 500, retryMs: 400 },
        { remaining: 0, resetMs: 60_000, retryMs: 60_000 },
      ],
    });

    const refund = decide('refund', 4, T0 + 1, both, forced);
    assert.equal(refund.decision.allowed, true);
    assert.deepEqual(refund.writes, [
      { state: { at: T0 + 1, debt: 99 }, ttlMs: 99 },
      { state: [T0], ttlMs: 59_999 },
    ]);
    const zero = decide('refund', 9, T0 + 1, both, forced);
    assert.deepEqual(zero.writes, [
      { state: undefined, ttlMs: 0 },
      { state: undefined, ttlMs: 0 },
    ]);
  });

  it('rejects what no store could mean', () => {
    assert.throws(() => decide('hit', -1, T0, both, [undefined, undefined]), RangeError);
    assert.throws(() => decide('hit', 1.5, T0, both, [undefined, undefined]), RangeError);
    assert.throws(() => decide('hit', 1e6 + 1, T0, both, [undefined, undefined]), RangeError);
    assert.throws(() => decide('hit', 1, T0 + 0.5, both, [undefined, undefined]), RangeError);
    assert.throws(() => decide('hit', 1, T0, both, [undefined]), RangeError);
    assert.throws(
      () => decide('nope' as 'hit', 1, T0, both, [undefined, undefined]),
      /unknown rate-limit operation/,
    );
    for (const bad of [
      { algorithm: 'gcra', limit: 0, windowMs: 1000 },
      { algorithm: 'gcra', limit: 1e6 + 1, windowMs: 1000 },
      { algorithm: 'window', limit: 5, windowMs: 32 * 24 * 3600 * 1000 },
      { algorithm: 'gcra', limit: 5, windowMs: 1000, burst: 0 },
      { algorithm: 'fixed', limit: 5, windowMs: 1000 },
    ]) {
      assert.throws(
        () => decide('hit', 1, T0, [bad as AlgorithmPolicy], [undefined]),
        RangeError,
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => decide('hit', 1, T0, [minute], [{ at: T0, debt: 1 }]),
      /not a log state/,
      'a state of another algorithm',
    );
  });
});
