import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitMemory } from './rate-limit.memory';

const T0 = 1_800_000_000_000;

describe('RateLimitMemory', () => {
  it('slides the window: a place frees when the oldest hit leaves it', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(100);
    const policy = [{ name: 'p', limit: 2, windowMs: 1000 }];
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
        await limit.hit('c', policy, `m${i}`),
        { allowed, policies: [{ remaining, resetMs }] },
        `step ${i}`,
      );
    }
    assert.equal((await limit.hit('other', policy, 'm5')).allowed, true, 'per client');
  });

  it('counts a request in every policy only when all have room', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(100);
    const burst = { name: 'burst', limit: 1, windowMs: 100 };
    const minute = { name: 'minute', limit: 3, windowMs: 60_000 };
    assert.equal((await limit.hit('c', [burst, minute], 'a')).allowed, true);
    const refused = await limit.hit('c', [burst, minute], 'b');
    assert.equal(refused.allowed, false);
    assert.equal(
      refused.policies[1]?.remaining,
      2,
      'the refused request was not counted in the minute',
    );
    t.mock.timers.tick(100);
    const next = await limit.hit('c', [burst, minute], 'c');
    assert.equal(next.allowed, true);
    assert.equal(next.policies[1]?.remaining, 1);
  });

  it('a flood of new clients never lifts a block: past the bound they get StoreFullError', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(50);
    const policy = [{ name: 'login', limit: 1, windowMs: 60_000 }];
    assert.equal((await limit.hit('attacker', policy, 'm')).allowed, true);
    assert.equal((await limit.hit('attacker', policy, 'm')).allowed, false);
    let full = 0;
    for (let i = 0; i < 1000; i++) {
      await limit.hit(`rotating-${i}`, policy, 'm').catch((err: Error) => {
        assert.equal(err.name, 'StoreFullError');
        full++;
      });
    }
    assert.equal(full, 1000 - 49);
    assert.equal((await limit.hit('attacker', policy, 'm')).allowed, false, 'still blocked');
    t.mock.timers.tick(60_000);
    assert.equal((await limit.hit('attacker', policy, 'm')).allowed, true, 'its window ended');
  });

  it("writes all of a client's windows or none when the table is full", async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const limit = new RateLimitMemory(3);
    const two = [
      { name: 'a', limit: 5, windowMs: 1000 },
      { name: 'b', limit: 5, windowMs: 1000 },
    ];
    await limit.hit('x', two, 'm');
    await assert.rejects(limit.hit('y', two, 'm'), { name: 'StoreFullError' });
    const x = await limit.hit('x', two, 'm');
    assert.deepEqual(
      x.policies.map((p) => p.remaining),
      [3, 3],
      'x is unaffected',
    );
    const z = await limit.hit('z', [{ name: 'a', limit: 5, windowMs: 1000 }], 'm');
    assert.equal(z.allowed, true, 'one new key still fits');
  });
});
