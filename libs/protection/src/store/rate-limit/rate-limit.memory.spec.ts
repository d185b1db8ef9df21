import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitMemory } from './rate-limit.memory';
import type { RateLimitPolicy } from './rate-limit.port';

const T0 = 1_800_000_000_000;

const log = (name: string, limit: number, windowMs: number): RateLimitPolicy => ({
  name,
  algorithm: 'log',
  limit,
  windowMs,
  burst: limit,
});

describe('RateLimitMemory', () => {
  it('slides the window: a place frees when the oldest hit leaves it', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(100);
    const policy = [log('p', 2, 1000)];
    // [ms later, allowed, remaining, ms until a place frees]
    const steps: Array<[number, boolean, number, number]> = [
      [0, true, 1, 1000],
      [400, true, 0, 600],
      [599, false, 0, 1],
      [1, true, 0, 400],
    ];
    for (const [i, [later, allowed, remaining, resetMs]] of steps.entries()) {
      t.mock.timers.tick(later);
      assert.deepEqual(
        await limit.apply('c', policy, 'hit', 1),
        { allowed, policies: [{ remaining, resetMs, retryMs: allowed ? 0 : resetMs }] },
        `step ${i}`,
      );
    }
    assert.equal((await limit.apply('other', policy, 'hit', 1)).allowed, true, 'per client');
  });

  it('counts a request in every policy only when all have room', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(100);
    const burst = log('burst', 1, 100);
    const minute = log('minute', 3, 60_000);
    assert.equal((await limit.apply('c', [burst, minute], 'hit', 1)).allowed, true);
    const refused = await limit.apply('c', [burst, minute], 'hit', 1);
    assert.equal(refused.allowed, false);
    assert.equal(
      refused.policies[1]?.remaining,
      2,
      'the refused request was not counted in the minute',
    );
    t.mock.timers.tick(100);
    const next = await limit.apply('c', [burst, minute], 'hit', 1);
    assert.equal(next.allowed, true);
    assert.equal(next.policies[1]?.remaining, 1);
  });

  it('a flood of new clients never lifts a block: past the bound they get StoreFullError', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(50);
    const policy = [log('login', 1, 60_000)];
    assert.equal((await limit.apply('attacker', policy, 'hit', 1)).allowed, true);
    assert.equal((await limit.apply('attacker', policy, 'hit', 1)).allowed, false);
    let full = 0;
    for (let i = 0; i < 1000; i++) {
      await limit.apply(`rotating-${i}`, policy, 'hit', 1).catch((err: Error) => {
        assert.equal(err.name, 'StoreFullError');
        full++;
      });
    }
    assert.equal(full, 1000 - 49);
    assert.equal((await limit.apply('attacker', policy, 'hit', 1)).allowed, false, 'still blocked');
    t.mock.timers.tick(60_000);
    assert.equal(
      (await limit.apply('attacker', policy, 'hit', 1)).allowed,
      true,
      'its window ended',
    );
  });

  it("writes all of a client's windows or none when the table is full", async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(3);
    const two = [log('a', 5, 1000), log('b', 5, 1000)];
    await limit.apply('x', two, 'hit', 1);
    await assert.rejects(limit.apply('y', two, 'hit', 1), { name: 'StoreFullError' });
    const x = await limit.apply('x', two, 'hit', 1);
    assert.deepEqual(
      x.policies.map((p) => p.remaining),
      [3, 3],
      'x is unaffected',
    );
    const z = await limit.apply('z', [log('a', 5, 1000)], 'hit', 1);
    assert.equal(z.allowed, true, 'one new key still fits');
  });
});
