import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from '../store/store.errors';
import { keepLease } from './lease-keeper';
import type { LockPort } from './store/locks.port';

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function watch(locks: Pick<LockPort, 'renew'>, leaseMs = 300) {
  const abort = new AbortController();
  const lines: string[] = [];
  const log = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const stop = keepLease(locks as LockPort, {
    key: 'k',
    owner: 'o',
    leaseMs,
    abort,
    log,
    name: 'DoubleKill: lock of Jobs.run',
  });
  return { abort, lines, stop };
}

describe('keepLease', () => {
  it('renews every third of the lease and fires the signal when the lock is gone', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const answers = [true, true, false];
    let asked = 0;
    const w = watch({ renew: () => Promise.resolve(answers[asked++] ?? false) });
    for (let i = 0; i < 2; i++) {
      t.mock.timers.tick(100);
      await settle();
    }
    assert.equal(w.abort.signal.aborted, false);
    t.mock.timers.tick(100);
    await settle();
    assert.equal(asked, 3);
    assert.equal(w.abort.signal.aborted, true, 'lost at the third renewal');
    assert.match(w.lines.join('\n'), /lock of Jobs.run was lost; the call's AbortSignal fires/);
    w.stop();
  });

  it('fires the signal when renewals fail for a whole lease (the lock may have expired)', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
    const w = watch({ renew: () => Promise.reject(new StoreUnavailableError('down')) });
    t.mock.timers.tick(100);
    await settle();
    t.mock.timers.tick(100);
    await settle();
    assert.equal(w.abort.signal.aborted, false, '200 ms unconfirmed: still within the lease');
    t.mock.timers.tick(100);
    await settle();
    assert.equal(w.abort.signal.aborted, true);
    assert.match(w.lines.join('\n'), /could not be renewed within its lease/);
    w.stop();
  });
});
