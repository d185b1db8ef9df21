import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruMap } from './lru-map';

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
    assert.ok(
      evicted.some(([k, v]) => k === 'b' && (v as { kind: string }).kind === 'own'),
      'the least recently used went first',
    );
  });
});
