import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueId } from './unique-id';

describe('uniqueId', () => {
  it('is UUID-shaped and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = uniqueId();
      assert.ok(!seen.has(id));
      seen.add(id);
    }
    for (const id of [...seen].slice(0, 10)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
