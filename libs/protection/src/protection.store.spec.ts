import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveProtectionOptions } from './protection-options.factory';
import { createProtectionStore, MemoryStore, storeProblem } from './protection.store';

describe('createProtectionStore', () => {
  it('builds the memory store from the ports by default', () => {
    const store = createProtectionStore(resolveProtectionOptions({}));
    assert.ok(store instanceof MemoryStore);
    assert.equal(store.shared, false);
    assert.equal(store.debounce.localKeys, true);
    assert.equal(typeof store.debounce.claimSync, 'function');
  });

  it("uses the app's own store as it is", () => {
    const mine = new MemoryStore();
    const options = resolveProtectionOptions({ store: mine });
    assert.equal(options.store.kind, 'custom');
    assert.equal(createProtectionStore(options), mine);
  });
});

describe('storeProblem', () => {
  it('accepts a complete store, including a plain object of plain ports', () => {
    const m = new MemoryStore();
    assert.equal(storeProblem(m as unknown as Record<string, unknown>), null);
    const plain = {
      debounce: {
        localKeys: false,
        claim: m.debounce.claim.bind(m.debounce),
        settle: m.debounce.settle.bind(m.debounce),
        await: m.debounce.await.bind(m.debounce),
      },
      locks: m.locks,
      captcha: m.captcha,
      rateLimit: m.rateLimit,
      records: m.records,
      shared: true,
      init: async () => {},
      close: async () => {},
    };
    assert.equal(storeProblem(plain), null);
  });

  it('names the first missing or wrong member', () => {
    const m = new MemoryStore();
    const store = {
      debounce: m.debounce,
      locks: m.locks,
      captcha: m.captcha,
      rateLimit: m.rateLimit,
      records: m.records,
      shared: false,
      init: m.init.bind(m),
      close: m.close.bind(m),
    };
    assert.deepEqual(storeProblem({ ...store, records: null }), [
      'store.records',
      null,
      'an object with consumeOnce, put, get',
    ]);
    assert.deepEqual(storeProblem({ ...store, rateLimit: {} }), [
      'store.rateLimit.apply',
      undefined,
      'a function',
    ]);
    assert.deepEqual(storeProblem({ ...store, shared: 'yes' }), [
      'store.shared',
      'yes',
      'true or false',
    ]);
    assert.deepEqual(storeProblem({ ...store, close: undefined }), [
      'store.close',
      undefined,
      'a function',
    ]);
    assert.deepEqual(
      storeProblem({ ...store, debounce: { claim() {}, settle() {}, await() {} } }),
      ['store.debounce.localKeys', undefined, 'true or false'],
    );
  });

  it('fails the options with the module message', () => {
    assert.throws(
      () => resolveProtectionOptions({ store: { ...new MemoryStore() } as never }),
      /^ProtectionOptionsError: ProtectionModule: option "store.init" is undefined; expected a function\.$/,
    );
  });
});
