import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppScan } from '../core/app-scan';
import { resolveProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from '../protection.store';
import { resolveDoubleKillMethod } from './double-kill.options';
import { DoubleKillException } from './double-kill.exception';
import { DoubleKillRunner } from './double-kill.runner';

const T0 = 1_800_000_000_000;
const noScan = { classes: () => [], methods: () => [] } as unknown as AppScan;

/** A call that runs until `finish()` is called. */
function pending(): { method: () => Promise<string>; finish(): void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { method: async () => (await done, 'done'), finish };
}

describe('DoubleKillRunner', () => {
  it('kills a second call with the same key while the first runs, renews the lease past its length, and frees the key at the end', async (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: T0 });
    const store = new MemoryStore();
    const runner = new DoubleKillRunner(resolveProtectionOptions({}), store, noScan);
    const meta = resolveDoubleKillMethod(
      { key: 'order-1', principal: false, lease: 300 },
      'Payments.pay',
    );
    const first = pending();
    const running = runner.run(meta, {}, first.method, []);
    await new Promise((r) => setImmediate(r));

    // Three lease lengths pass; the renewal every lease/3 keeps the lock.
    for (let i = 0; i < 9; i++) {
      t.mock.timers.tick(100);
      await new Promise((r) => setImmediate(r));
    }
    const second = await runner
      .run(meta, {}, () => Promise.resolve('second'), [])
      .catch((err: unknown) => err);
    assert.ok(second instanceof DoubleKillException, 'still locked after 3 lease lengths');
    assert.equal(second.elapsed, 0, 'whole seconds the first call has run');

    first.finish();
    assert.equal(await running, 'done');
    assert.equal(
      await runner.run(meta, {}, () => Promise.resolve('third'), []),
      'third',
      'released when the first call ended',
    );
  });
});
