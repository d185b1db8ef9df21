import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstFit } from './first-fit';

describe('firstFit', () => {
  it('finds the first whole ms that fits from any guess, in a bounded number of tests', () => {
    for (const hi of [0, 1, 2, 7, 1000, 2 * 31 * 24 * 3600 * 1000, 2 ** 52]) {
      for (const answer of [0, 1, Math.floor(hi / 3), hi - 1, hi].filter(
        (a) => a >= 0 && a <= hi,
      )) {
        for (const guess of [-5, 0, answer - 1, answer, answer + 1, hi, hi + 10]) {
          let tests = 0;
          const got = firstFit(guess, hi, (d) => {
            tests++;
            assert.ok(d >= 0 && d <= hi, `tested ${d} outside [0, ${hi}]`);
            return d >= answer;
          });
          assert.equal(got, answer, `hi ${hi}, guess ${guess}`);
          assert.ok(tests <= 60, `${tests} tests`);
          if (guess === answer) assert.ok(tests <= 2, `a right guess costs ${tests} tests`);
        }
      }
    }
  });
});
