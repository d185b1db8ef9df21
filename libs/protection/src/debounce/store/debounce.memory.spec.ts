import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DebounceMemory } from './debounce.memory';
import { LEADER_CLAIM } from './debounce.port';

const T0 = 1_800_000_000_000;
const response = { status: 201, headers: { a: 'b' }, body: Buffer.from('x') };

describe('DebounceMemory', () => {
  it('stays within maxEntries while 1,000,000 distinct keys pass through', async () => {
    const port = new DebounceMemory(10_000);
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      await port.claim(`k${i}`, 't', 60_000, false);
      if ((i & 1023) === 0 && port.size > peak) peak = port.size;
    }
    assert.ok(port.size <= 10_000, `size ${port.size}`);
    assert.ok(peak <= 10_000, `peak ${peak}`);
    // The newest keys are still protected; the oldest were evicted.
    assert.equal((await port.claim('k999999', 'u', 60_000, false)).role, 'follower');
    assert.equal((await port.claim('k0', 'u', 60_000, false)).role, 'leader');
  });

  it('claims synchronously with the shared leader claim, and follows for the rest of the window', () => {
    const port = new DebounceMemory(100);
    assert.equal(
      port.claimSync('k', 'L', 1000, true, T0),
      LEADER_CLAIM,
      'no allocation for a leader',
    );
    assert.deepEqual(port.claimSync('k', 'F', 1000, true, T0 + 400), {
      role: 'follower',
      token: 'L',
      remainingMs: 600,
      outcome: null,
    });
    assert.equal(port.claimSync('k', 'F', 1000, true, T0 + 999).role, 'follower');
    assert.equal(
      port.claimSync('k', 'N', 1000, true, T0 + 1000),
      LEADER_CLAIM,
      'the window has ended',
    );
  });

  it('ends the window on the clock, with no timer per key', (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: T0 });
    const port = new DebounceMemory(100);
    assert.equal(port.claimSync('w', '', 500, false, Date.now()).role, 'leader');
    t.mock.timers.tick(499);
    const claim = port.claimSync('w', '', 500, false, Date.now());
    assert.ok(claim.role === 'follower' && claim.remainingMs === 1);
    t.mock.timers.tick(1);
    assert.equal(port.claimSync('w', '', 500, false, Date.now()).role, 'leader');
  });

  it("wakes waiters with their own leader's outcome, or null for another leader", async () => {
    const port = new DebounceMemory(100);
    assert.equal((await port.claim('k', 'L1', 1000, true)).role, 'leader');
    assert.equal((await port.claim('k', 'F', 1000, true)).role, 'follower');
    const waiting = port.await('k', 'L1', 1000);
    await port.settle('k', 'L1', { kind: 'response', response });
    assert.deepEqual(await waiting, { kind: 'response', response });
    assert.equal(await port.await('k', 'OTHER', 1000), null);
    await port.settle('k', 'OTHER', { kind: 'failed' }); // ignored: not the leader
    assert.deepEqual(await port.await('k', 'L1', 1000), { kind: 'response', response });
    assert.equal(await port.await('none', 'L1', 10), null);
  });

  it('a claim nobody follows keeps no leader state: a reusing follower of it gets null at once', async () => {
    const port = new DebounceMemory(100);
    assert.equal((await port.claim('m', '', 1000, false)).role, 'leader');
    const claim = await port.claim('m', 'F', 1000, true);
    assert.ok(claim.role === 'follower' && claim.remainingMs > 900 && claim.outcome === null);
    await port.settle('m', '', { kind: 'failed' }); // ignored: nobody leads it for followers
    const started = Date.now();
    assert.equal(await port.await('m', '', 1000), null);
    assert.ok(Date.now() - started < 50, 'not kept waiting for an outcome that never comes');
    assert.equal(
      (await port.claim('m2', '', 1000, false)).role,
      'leader',
      'the shared mark is never changed',
    );
  });

  it('times a waiter out when the leader never settles', async (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: T0 });
    const port = new DebounceMemory(100);
    await port.claim('slow', 'L', 1000, true);
    let outcome: unknown = 'pending';
    const waiting = port.await('slow', 'L', 50).then((o) => (outcome = o));
    t.mock.timers.tick(49);
    await Promise.resolve();
    assert.equal(outcome, 'pending');
    t.mock.timers.tick(1);
    await waiting;
    assert.equal(outcome, null);
  });

  it('wakes the followers of an evicted leader with null at once', async () => {
    const port = new DebounceMemory(2);
    await port.claim('a', 'LA', 60_000, true);
    const waiting = port.await('a', 'LA', 60_000);
    for (const k of ['b', 'c', 'd', 'e']) await port.claim(k, 'L' + k, 60_000, true);
    assert.equal(await waiting, null);
  });
});
