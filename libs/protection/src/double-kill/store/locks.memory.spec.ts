import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { LocksMemory } from './locks.memory';

const T0 = 1_800_000_000_000;

/** A lock table on a mocked clock starting at T0. */
function lockTable(t: TestContext): LocksMemory {
  t.mock.timers.enable({ apis: ['Date'], now: T0 });
  return new LocksMemory();
}

describe('LocksMemory', () => {
  it('refuses a held lock, saying how long the holder has run', async (t) => {
    const locks = lockTable(t);
    assert.deepEqual(await locks.acquire('k', 'A', 1000), { acquired: true, fencingToken: T0 });
    t.mock.timers.tick(300);
    assert.deepEqual(await locks.acquire('k', 'B', 1000), {
      acquired: false,
      elapsedMs: 300,
      tag: '',
    });
  });

  it("hands the holder's tag to a refused caller", async () => {
    const locks = new LocksMemory();
    await locks.acquire('k', 'A', 1000, 'progress-of-A');
    const refused = await locks.acquire('k', 'B', 1000, 'progress-of-B');
    assert.equal(refused.acquired, false);
    assert.equal(!refused.acquired && refused.tag, 'progress-of-A');
  });

  it('frees the lock when its lease expires, and the next holder gets a higher fencing token', async (t) => {
    const locks = lockTable(t);
    await locks.acquire('k', 'A', 150);
    t.mock.timers.tick(149);
    assert.equal((await locks.acquire('k', 'B', 5000)).acquired, false);
    t.mock.timers.tick(1);
    assert.deepEqual(await locks.acquire('k', 'B', 5000), {
      acquired: true,
      fencingToken: T0 + 150,
    });
    assert.equal(await locks.renew('k', 'A', 5000), false, 'A lost it');
    assert.equal(await locks.release('k', 'A'), false, 'A cannot release B');
    assert.equal(await locks.release('k', 'B'), true);
    assert.deepEqual(
      await locks.acquire('k', 'C', 5000),
      { acquired: true, fencingToken: T0 + 151 },
      'within one ms: the clock plus one, never the same token',
    );
  });

  it("renews only the owner's live lease", async (t) => {
    const locks = lockTable(t);
    await locks.acquire('k', 'A', 100);
    t.mock.timers.tick(90);
    assert.equal(await locks.renew('k', 'A', 100), true);
    t.mock.timers.tick(90);
    assert.equal(
      (await locks.acquire('k', 'B', 100)).acquired,
      false,
      'renewed: still held 180 ms in',
    );
    t.mock.timers.tick(10);
    assert.equal(await locks.renew('k', 'A', 100), false, 'expired: too late to renew');
    assert.equal((await locks.acquire('k', 'B', 100)).acquired, true);
  });

  it('never hands a key a token below an earlier one, whatever else the table saw', async (t) => {
    const locks = lockTable(t);
    const first = await locks.acquire('x', 'A', 1000);
    await locks.release('x', 'A');
    // A flood of other keys: no per-key state exists to be pushed out.
    for (let i = 0; i < 100_000; i++) {
      await locks.acquire(`flood-${i}`, 'F', 1000);
      await locks.release(`flood-${i}`, 'F');
    }
    const again = await locks.acquire('x', 'B', 1000);
    assert.ok(first.acquired && again.acquired);
    assert.ok(
      again.fencingToken > first.fencingToken,
      `${again.fencingToken} > ${first.fencingToken}`,
    );
  });

  it('is bounded: expired leases make room, live ones are never dropped (a full table refuses)', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const locks = new LocksMemory(5000);
    for (let i = 0; i < 5000; i++) await locks.acquire(`hung-${i}`, 'H', 100);
    t.mock.timers.tick(100);
    // The hung leases expired: new keys take their places.
    for (let i = 0; i < 5000; i++) await locks.acquire(`live-${i}`, 'L', 60_000);
    assert.equal(locks.size, 5000);
    await assert.rejects(locks.acquire('one-more', 'X', 1000), {
      name: 'StoreFullError',
      message: /"DoubleKill locks" holds 5000 live entries \(memory\.maxEntries\)/,
    });
    assert.equal((await locks.acquire('live-0', 'X', 1000)).acquired, false, 'live ones kept');
    assert.equal(await locks.release('live-1', 'L'), true);
    assert.equal(
      (await locks.acquire('one-more', 'X', 1000)).acquired,
      true,
      'a release makes room',
    );
  });
});
