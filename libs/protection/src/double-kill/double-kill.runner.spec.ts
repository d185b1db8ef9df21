import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackgroundWork } from '../core/background-work';
import type { AppScan } from '../core/app-scan';
import { resolveProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from '../protection.store';
import { resolveDoubleKillMethod } from './double-kill.options';
import { DoubleKillException, DoubleKillKeyException } from './double-kill.exception';
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
    const runner = new DoubleKillRunner(
      resolveProtectionOptions({}),
      store,
      noScan,
      new BackgroundWork(),
    );
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

  it('answers a throwing key function with DoubleKillKeyException, logged at warn once per method', async (t) => {
    const runner = new DoubleKillRunner(
      resolveProtectionOptions({}),
      new MemoryStore(),
      noScan,
      new BackgroundWork(),
    );
    const warn = t.mock.method(
      (runner as unknown as { logger: { warn(m: string): void } }).logger,
      'warn',
      () => undefined,
    );
    const meta = resolveDoubleKillMethod(
      {
        key: () => {
          throw new Error('bad input');
        },
        principal: false,
      },
      'Orders.pay',
    );
    for (let i = 0; i < 3; i++) {
      const err = await runner.run(meta, {}, () => 'ran', []).catch((e: unknown) => e);
      assert.ok(err instanceof DoubleKillKeyException);
      assert.equal(err.getStatus(), 400);
      assert.deepEqual(err.getResponse(), {
        statusCode: 400,
        code: 'DOUBLE_KILL_KEY_FAILED',
        message: 'Orders.pay: The lock key could not be computed',
      });
    }
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /Orders\.pay threw \(bad input\)/);
  });

  it('makes a new random progress key for every run, shared with concurrent callers', async () => {
    const runner = new DoubleKillRunner(
      resolveProtectionOptions({}),
      new MemoryStore(),
      noScan,
      new BackgroundWork(),
    );
    const meta = resolveDoubleKillMethod({ key: 'k', principal: false }, 'Jobs.run');
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const first = pending();
      const running = runner.run(meta, {}, first.method, []);
      await new Promise((r) => setImmediate(r));
      const killed = await runner.run(meta, {}, first.method, []).catch((e: unknown) => e);
      assert.ok(killed instanceof DoubleKillException);
      assert.match(killed.progressKey, /^[A-Za-z0-9_-]{22}$/);
      keys.push(killed.progressKey);
      first.finish();
      await running;
    }
    assert.notEqual(keys[0], keys[1]);
  });
});
