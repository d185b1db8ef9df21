import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordsMemory } from './records.memory';

const T0 = 1_800_000_000_000;

describe('RecordsMemory', () => {
  it('consumes a key once until its TTL ends', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const records = new RecordsMemory(100);
    assert.equal(await records.consumeOnce('k', 1000), true);
    t.mock.timers.tick(999);
    assert.equal(await records.consumeOnce('k', 1000), false);
    t.mock.timers.tick(1);
    assert.equal(await records.consumeOnce('k', 1000), true, 'the mark has expired');
    assert.equal(await records.consumeOnce('other', 1000), true);
  });

  it('keeps a record for its TTL', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const records = new RecordsMemory(100);
    await records.put('progress:a', '{"percent":50}', 200);
    t.mock.timers.tick(199);
    assert.equal(await records.get('progress:a'), '{"percent":50}');
    t.mock.timers.tick(1);
    assert.equal(await records.get('progress:a'), null);
  });

  it('never forgets a live single-use mark: a flood gets StoreFullError, and one purpose cannot fill another', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const records = new RecordsMemory(100);
    assert.equal(await records.consumeOnce('righter:token', 60_000), true);
    let full = 0;
    for (let i = 0; i < 10_000; i++) {
      await records.consumeOnce(`righter:flood-${i}`, 60_000).catch((err: Error) => {
        assert.equal(err.name, 'StoreFullError');
        full++;
      });
    }
    assert.equal(full, 10_000 - 99, 'past the bound, every new mark is refused');
    assert.equal(await records.consumeOnce('righter:token', 60_000), false, 'still a replay');
    assert.equal(await records.consumeOnce('captcha-free:{a}', 60_000), true, 'its own table');
    t.mock.timers.tick(60_000);
    assert.equal(await records.consumeOnce('righter:new', 60_000), true, 'expired marks make room');
  });
});
