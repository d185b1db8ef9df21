import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringTable, settle } from './expiring-table';
import { StoreFullError, StoreUnavailableError } from './store.errors';

describe('ExpiringTable', () => {
  it('keeps every live entry: a new key meeting a full table throws StoreFullError', () => {
    const table = new ExpiringTable<number>('marks', 3);
    for (const k of ['a', 'b', 'c']) table.set(k, 1, 1000, 0);
    assert.throws(
      () => table.set('d', 1, 1000, 1),
      (err: unknown) => {
        assert.ok(err instanceof StoreFullError && err instanceof StoreUnavailableError);
        assert.equal(err.table, 'marks');
        assert.match(err.message, /"marks" holds 3 live entries \(memory\.maxEntries\)/);
        return true;
      },
    );
    for (const k of ['a', 'b', 'c']) assert.equal(table.get(k, 999), 1, `${k} is still there`);
    table.set('a', 2, 1000, 2);
    assert.equal(table.get('a', 3), 2, 'an existing key is updated even when full');
  });

  it('expires entries lazily, and a full table sweeps the expired ones to make room', () => {
    const table = new ExpiringTable<number>('t', 4);
    table.set('short', 1, 10, 0);
    assert.equal(table.get('short', 9), 1);
    assert.equal(table.get('short', 10), undefined);
    assert.equal(table.size, 0);
    for (let i = 0; i < 4; i++) table.set(`k${i}`, i, i < 2 ? 10 : 1000, 0);
    table.set('x', 9, 1000, 10);
    table.set('y', 9, 1000, 10);
    assert.equal(table.size, 4);
    assert.equal(table.get('k2', 11), 2);
    assert.throws(() => table.set('z', 9, 1000, 11), StoreFullError);
  });

  it('while nearly full of live entries, sweeps at most once a second', () => {
    const table = new ExpiringTable<number>('t', 32);
    table.set('dies', 0, 5, 0);
    for (let i = 1; i < 32; i++) table.set(`live${i}`, i, 60_000, 0);
    table.set('new1', 1, 5, 10); // a sweep frees 'dies': 1 of 32, under 1/16
    assert.throws(
      () => table.set('new2', 1, 60_000, 20),
      StoreFullError,
      "'new1' expired at 15, but the next sweep waits until 1010",
    );
    table.set('new2', 1, 60_000, 1010);
    assert.equal(table.get('new2', 1011), 1);
    assert.equal(table.size, 32);
  });

  it('room(n) checks that n new keys fit, writing nothing', () => {
    const table = new ExpiringTable<number>('t', 3);
    table.set('a', 1, 1000, 0);
    table.room(2, 0);
    assert.throws(() => table.room(3, 0), StoreFullError);
    assert.equal(table.size, 1);
  });

  it('settle turns a synchronous throw into a rejection', async () => {
    await assert.rejects(
      settle(() => {
        throw new StoreFullError('t', 1);
      }),
      StoreFullError,
    );
    assert.equal(await settle(() => 5), 5);
  });
});
