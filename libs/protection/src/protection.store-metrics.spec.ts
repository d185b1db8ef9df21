import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionMetrics } from './core/metrics';
import { MemoryStore, type ProtectionStore } from './protection.store';
import { timedStore } from './protection.store-metrics';
import { StoreUnavailableError } from './store/store.errors';

type Call = [operation: string, store: string, failed: boolean];

function recorder(): { metrics: ProtectionMetrics; calls: Call[] } {
  const calls: Call[] = [];
  const metrics = {
    storeCall: (attributes: Record<string, string>, seconds: number, failed: boolean) => {
      assert.ok(seconds >= 0 && seconds < 5, `${seconds} s`);
      calls.push([attributes.operation ?? '', attributes.store ?? '', failed]);
    },
  } as unknown as ProtectionMetrics;
  return { metrics, calls };
}

describe('timedStore', () => {
  it('times every port operation by operation and store, keeping the ports as they were', async () => {
    const { metrics, calls } = recorder();
    const inner = new MemoryStore();
    const store = timedStore(inner, 'memory', metrics);
    assert.equal(store.shared, false);
    assert.equal(store.debounce.localKeys, inner.debounce.localKeys, 'read through');
    assert.equal(typeof store.debounce.claimSync, 'function');
    await store.init();
    const policy = { name: 'p', algorithm: 'gcra' as const, limit: 1, windowMs: 1000, burst: 1 };
    assert.equal((await store.rateLimit.apply('c', [policy], 'hit', 1)).allowed, true);
    assert.equal((await store.rateLimit.apply('c', [policy], 'hit', 1)).allowed, false);
    store.debounce.claimSync?.('k', '', 500, false, Date.now());
    assert.equal(store.rateLimit.applySync?.('c', [policy], 'hit', 1).allowed, false);
    // A synchronous variant is the same operation to a dashboard.
    assert.deepEqual(calls, [
      ['rateLimit.apply', 'memory', false],
      ['rateLimit.apply', 'memory', false],
      ['debounce.claim', 'memory', false],
      ['rateLimit.apply', 'memory', false],
    ]);
    await store.close();
  });

  it('counts a rejected or thrown operation as failed, and passes the error on', async () => {
    const { metrics, calls } = recorder();
    const inner = new MemoryStore();
    const down = new StoreUnavailableError('down');
    const broken: ProtectionStore = {
      ...inner,
      debounce: inner.debounce,
      init: () => inner.init(),
      close: () => inner.close(),
      shared: true,
      records: {
        consumeOnce: () => Promise.reject(down),
        put: () => {
          throw down;
        },
        get: () => Promise.resolve(null),
      },
    };
    const store = timedStore(broken, 'custom', metrics);
    assert.equal(store.shared, true);
    await assert.rejects(store.records.consumeOnce('k', 1000), down);
    assert.throws(() => store.records.put('k', 'v', 1000), down);
    assert.equal(await store.records.get('k'), null);
    assert.deepEqual(calls, [
      ['records.consumeOnce', 'custom', true],
      ['records.put', 'custom', true],
      ['records.get', 'custom', false],
    ]);
  });
});
