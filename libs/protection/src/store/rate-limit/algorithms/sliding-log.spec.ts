import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlgorithmPolicy } from './algorithm.types';
import { decide } from './decide';
import { run, T0 } from './decide-steps.spec';

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
