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
});
