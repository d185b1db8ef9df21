import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNIQUE_ID_LENGTH, uniqueId } from './unique-id';

describe('uniqueId', () => {
  it('has a fixed short shape and never repeats, across batches', () => {
    const seen = new Set<string>();
    let prefix: string | undefined;
    for (let i = 0; i < 100_000; i++) {
      const id = uniqueId();
      assert.equal(id.length, UNIQUE_ID_LENGTH);
      assert.match(id, /^[0-9a-z]{12}-[0-9a-z]{6}$/);
      assert.ok(!seen.has(id), `repeated ${id}`);
      seen.add(id);
      prefix ??= id.slice(0, 12);
      assert.equal(id.slice(0, 12), prefix, 'one random part per process');
    }
  });

  it('passes the request-id sanity pattern, so an echoed id can be sent back as is', () => {
    assert.match(uniqueId(), /^[A-Za-z0-9._:@+=-]{1,128}$/);
  });
});
