import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Compensations } from './compensations';

describe('Compensations', () => {
  it('retries an undo until it succeeds, then forgets it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const errors: string[] = [];
    const undo = new Compensations((err) => errors.push(err.message));
    let calls = 0;
    undo.add(
      'lock:a',
      () => (++calls < 3 ? Promise.reject(new Error('down')) : Promise.resolve()),
      10_000,
    );
    for (let i = 0; i < 3; i++) {
      t.mock.timers.tick(250);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(calls, 3);
    assert.equal(undo.size, 0);
    assert.deepEqual(errors, ['down', 'down']);
  });

  it('drops an undo once its state has expired on its own', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const undo = new Compensations(() => undefined);
    let calls = 0;
    undo.add(
      'once:a',
      () => {
        calls++;
        return Promise.reject(new Error('down'));
      },
      300,
    );
    for (let i = 0; i < 4; i++) {
      t.mock.timers.tick(250);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(calls, 1, 'tried at 250 ms, dropped at 500 ms');
    assert.equal(undo.size, 0);
  });
});
