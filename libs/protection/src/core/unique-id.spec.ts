import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNIQUE_ID_LENGTH, uniqueId } from './unique-id';

describe('uniqueId', () => {
  it('has a fixed short shape and never repeats, across batches', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = uniqueId();
      assert.equal(id.length, UNIQUE_ID_LENGTH);
      assert.match(id, /^[A-Za-z0-9_-]{16}$/);
      assert.ok(!seen.has(id), `repeated ${id}`);
      seen.add(id);
    }
  });

  it('reveals no counter: consecutive ids share no prefix beyond chance', () => {
    // With 64 symbols per character, two random ids share their first 3 characters 1 time in
    // 262,144; a counter-based id shares most of its characters with the next one.
    let shared = 0;
    let previous = uniqueId();
    for (let i = 0; i < 10_000; i++) {
      const id = uniqueId();
      if (id.slice(0, 3) === previous.slice(0, 3)) shared++;
      previous = id;
    }
    assert.ok(shared <= 2, `${shared} consecutive pairs shared a 3-character prefix`);
  });

  it('passes the request-id pattern, so an echoed id can be sent back as is', () => {
    assert.match(uniqueId(), /^[A-Za-z0-9._:-]{1,128}$/);
  });
});
