import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruMap } from './lru-map';
import { MemoryStore } from './memory.store';

describe('LruMap', () => {
  it('evicts the least recently used entries when full, never exceeding the bound', () => {
    const evicted: string[] = [];
    const map = new LruMap<number>(4, (k) => evicted.push(k));
    map.set('a', 1, 1000, 0);
    map.set('b', 2, 1000, 0);
    assert.equal(map.get('a', 1), 1); // a is used again, b is not
    map.set('c', 3, 1000, 1);
    map.set('d', 4, 1000, 1);
    assert.deepEqual(evicted, ['b']);
    assert.equal(map.get('b', 2), undefined);
    assert.equal(map.get('a', 2), 1);
    assert.ok(map.size <= 4);
  });

  it('expires entries lazily, without timers', () => {
    const map = new LruMap<number>(10);
    map.set('a', 1, 100, 0);
    assert.equal(map.get('a', 99), 1);
    assert.equal(map.get('a', 100), undefined);
    assert.equal(map.size, 0);
  });

  it('drops expired entries when their generation ages out', () => {
    const map = new LruMap<number>(1000);
    for (let i = 0; i < 1500; i++) map.set(`k${i}`, i, 10, 0);
    assert.ok(map.size <= 1000);
    assert.equal(map.get('k1499', 50), undefined);
  });

  it('turns generations over once the old one has fully expired, so short-lived keys stay few', () => {
    const evicted: string[] = [];
    const map = new LruMap<number>(100_000, (k) => evicted.push(k));
    // 100 keys per ms, each living 10 ms: about 1,000 are live at any time.
    let peak = 0;
    for (let t = 0; t < 1000; t++) {
      for (let i = 0; i < 100; i++) map.add(`k${t}.${i}`, i, 10, t);
      peak = Math.max(peak, map.size);
    }
    assert.ok(peak <= 3_100, `peak ${peak} entries`);
    assert.equal(map.get('k999.99', 1000), 99, 'live entries are kept');
    assert.equal(map.get('k985.0', 1000), undefined);
    assert.ok(evicted.length > 90_000, 'dropped entries are reported');
  });
});

describe('LruMap shared values', () => {
  it('keeps only the expiry of a key added with the shared value, and reports that value on eviction', () => {
    const shared = { kind: 'mark' };
    const evicted: Array<[string, unknown]> = [];
    const map = new LruMap<object>(4, (k, v) => evicted.push([k, v]), shared);
    const t0 = 1_800_000_000_000;
    map.addShared('a', 100, t0);
    map.add('b', { kind: 'own' }, 100, t0);
    assert.equal(map.get('a', t0 + 99), shared);
    assert.equal(map.expiresAt('a'), t0 + 100);
    assert.deepEqual(map.get('b', t0 + 99), { kind: 'own' });
    assert.equal(map.get('a', t0 + 100), undefined, 'expired');
    assert.deepEqual(evicted, [['a', shared]]);
    for (const k of ['c', 'd', 'e', 'f', 'g']) map.addShared(k, 1000, t0 + 1);
    assert.ok(map.size <= 4);
    assert.ok(evicted.some(([k, v]) => k === 'b' && (v as { kind: string }).kind === 'own'), 'the least recently used went first');
  });
});

describe('MemoryStore bounds', () => {
  it('stays within maxEntries while 1,000,000 distinct keys pass through', async () => {
    const store = new MemoryStore({ debounceMaxEntries: 10_000, onceMaxEntries: 100 });
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      await store.debounceClaim(`k${i}`, 't', 60_000, false);
      if ((i & 1023) === 0 && store.debounceSize > peak) peak = store.debounceSize;
    }
    assert.ok(store.debounceSize <= 10_000, `size ${store.debounceSize}`);
    assert.ok(peak <= 10_000, `peak ${peak}`);
    // The newest keys are still protected; the oldest were evicted.
    assert.equal((await store.debounceClaim('k999999', 'u', 60_000, false)).role, 'follower');
    assert.equal((await store.debounceClaim('k0', 'u', 60_000, false)).role, 'leader');
    await store.close();
  });

  it('wakes waiters with their own leader\'s outcome, or null on timeout / another leader', async () => {
    const store = new MemoryStore({ debounceMaxEntries: 100, onceMaxEntries: 100 });
    assert.equal((await store.debounceClaim('k', 'L1', 1000, true)).role, 'leader');
    const claim = await store.debounceClaim('k', 'F', 1000, true);
    assert.equal(claim.role, 'follower');
    const waiting = store.debounceAwait('k', 'L1', 1000);
    const response = { status: 201, headers: { a: 'b' }, body: Buffer.from('x') };
    await store.debounceSettle('k', 'L1', { kind: 'response', response });
    assert.deepEqual(await waiting, { kind: 'response', response });
    assert.equal(await store.debounceAwait('k', 'OTHER', 1000), null);
    await store.debounceSettle('k', 'OTHER', { kind: 'failed' }); // ignored: not the leader
    assert.deepEqual(await store.debounceAwait('k', 'L1', 1000), { kind: 'response', response });
    assert.equal(await store.debounceAwait('none', 'L1', 10), null);
  });

  it('a claim nobody follows keeps no leader state: a reusing follower of it gets null at once', async () => {
    const store = new MemoryStore({ debounceMaxEntries: 100, onceMaxEntries: 100 });
    assert.equal((await store.debounceClaim('m', '', 1000, false)).role, 'leader');
    const claim = await store.debounceClaim('m', 'F', 1000, true);
    assert.equal(claim.role, 'follower');
    assert.ok(claim.role === 'follower' && claim.remainingMs > 900 && claim.outcome === null);
    await store.debounceSettle('m', '', { kind: 'failed' }); // ignored: nobody leads it for followers
    const started = Date.now();
    assert.equal(await store.debounceAwait('m', '', 1000), null);
    assert.ok(Date.now() - started < 50, 'not kept waiting for an outcome that never comes');
    assert.equal((await store.debounceClaim('m2', '', 1000, false)).role, 'leader', 'the shared mark is never changed');
  });

  it('times a waiter out when the leader never settles', async () => {
    const store = new MemoryStore({ debounceMaxEntries: 100, onceMaxEntries: 100 });
    await store.debounceClaim('slow', 'L', 1000, true);
    const started = Date.now();
    assert.equal(await store.debounceAwait('slow', 'L', 50), null);
    assert.ok(Date.now() - started >= 45);
  });
});
