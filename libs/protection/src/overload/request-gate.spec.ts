import assert from 'node:assert/strict';
import type { IncomingMessage, Server } from 'node:http';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { compileProxyTrust } from '../core/client-ip';
import type { NodeListener } from '../core/server-hooks';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import { exchange, FakeSocket, settle, type Exchange } from './fake-http.spec';
import { InFlightCounter } from './in-flight.counter';
import { PerIpLimiter } from './per-ip.limiter';
import { RequestGate } from './request-gate';

interface Harness {
  gate: RequestGate;
  counter: InFlightCounter;
  listener: NodeListener;
  dispatched: IncomingMessage[];
  send(ex?: Exchange): Exchange;
}

function harness(maxConcurrent: number, perIp: PerIpLimiter | null = null): Harness {
  const counter = new InFlightCounter({ check: () => undefined });
  // Not an http.Server: requests end when their response closes.
  counter.attach({} as Server);
  const gate = new RequestGate(maxConcurrent, counter, perIp);
  const dispatched: IncomingMessage[] = [];
  const listener = gate.listener({
    server: {} as Server,
    dispatch: (req) => void dispatched.push(req),
    // What ServerHooks passes on Fastify: the onRequest hooks (the request id echo).
    answering: (_req, res) => res.setHeader('x-request-id', 'rid-1'),
  });
  const send = (ex = exchange()): Exchange => {
    listener(ex.req, ex.res);
    return ex;
  };
  return { gate, counter, listener, dispatched, send };
}

describe('RequestGate', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('admits up to the cap; the next request gets 503 OVERLOADED there, never reaching the framework', () => {
    const h = harness(2);
    const a = h.send();
    const b = h.send();
    const refused = h.send();
    assert.deepEqual(h.dispatched, [a.req, b.req]);
    assert.equal(h.counter.inFlight, 2);
    assert.equal(refused.res.status, 503);
    assert.deepEqual(refused.res.json(), {
      statusCode: 503,
      code: 'OVERLOADED',
      message: 'Server overloaded; retry shortly',
    });
    assert.equal(refused.res.headers.get('retry-after'), '1');
    assert.equal(refused.res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(
      refused.res.headers.get('x-request-id'),
      'rid-1',
      'the onRequest hooks run for refusals too',
    );
    assert.equal(h.gate.rejected, 1);
  });

  it('a request that ends frees its place under the cap', () => {
    const h = harness(1);
    const a = h.send();
    assert.equal(h.send().res.status, 503);
    a.res.close();
    const next = h.send();
    assert.equal(next.res.status, undefined);
    assert.deepEqual(h.dispatched, [a.req, next.req]);
  });

  it('once closed, refuses every new request with 503 SHUTTING_DOWN and Connection: close', () => {
    const h = harness(Infinity);
    h.send();
    h.gate.close();
    const refused = h.send();
    assert.equal(refused.res.status, 503);
    assert.equal((refused.res.json() as { code: string }).code, 'SHUTTING_DOWN');
    assert.equal(refused.res.headers.get('connection'), 'close');
    assert.equal(h.dispatched.length, 1);
    assert.equal(h.gate.isClosed, true);
  });

  it('runs the per-IP checks for clients off the permit list only, then admits late', async () => {
    const limiter = new PerIpLimiter(
      { limit: 1, windowMs: 1000, maxConcurrent: null, onStoreError: 'open' as const },
      compileProxyTrust(false),
      compileProxyTrust(['10.0.0.1']),
      { rateLimit: new RateLimitMemory(100) },
    );
    const h = harness(Infinity, limiter);
    const permitted = h.send(exchange({ socket: new FakeSocket('10.0.0.1') }));
    assert.deepEqual(h.dispatched, [permitted.req], 'a permitted client is admitted at once');
    const limited = h.send();
    assert.equal(h.dispatched.length, 1, 'a limited client waits for the store');
    await settle();
    assert.deepEqual(h.dispatched, [permitted.req, limited.req]);
    const over = h.send();
    await settle();
    assert.equal(over.res.status, 429);
    assert.equal(h.gate.rejected, 1);
  });
});
