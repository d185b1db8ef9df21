import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { applyRequestTimeout } from './request-timeout';

describe('applyRequestTimeout', () => {
  it("sets a deadline only where the server has none (Fastify's default), and checks often enough", () => {
    const none = createServer({ requestTimeout: 0 });
    assert.equal(applyRequestTimeout(none, 30_000), true);
    assert.equal(none.requestTimeout, 30_000);
    assert.ok(none.headersTimeout <= 30_000);
    assert.equal(
      (none as { connectionsCheckingInterval?: number }).connectionsCheckingInterval,
      7_500,
    );
    const own = createServer();
    assert.equal(applyRequestTimeout(own, 30_000), false, 'a deadline of its own is kept');
    assert.equal(own.requestTimeout, 300_000);
    const off = createServer({ requestTimeout: 0 });
    assert.equal(applyRequestTimeout(off, 0), false, '0 leaves the server alone');
    assert.equal(off.requestTimeout, 0);
  });
});
