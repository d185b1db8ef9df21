import { Logger } from '@nestjs/common';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { compileProxyTrust } from '../core/client-ip';
import type { ProtectionException } from '../core/protection.exception';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import type { RateLimitPort } from '../store/rate-limit/rate-limit.port';
import { StoreUnavailableError } from '../store/store.errors';
import { exchange, FakeSocket, settle, type Exchange } from './fake-http.spec';
import { PerIpLimiter, type GateVerdicts, type PerIpSettings } from './per-ip.limiter';

class RecordingGate implements GateVerdicts {
  readonly admitted: IncomingMessage[] = [];
  readonly refused: Array<{
    req: IncomingMessage;
    status: number;
    code: string;
    retryAfter: string | undefined;
  }> = [];
  admit(req: IncomingMessage, _res: ServerResponse, late: boolean): void {
    assert.equal(late, true, 'admitted after the store answered');
    this.admitted.push(req);
  }
  refuse(req: IncomingMessage, _res: ServerResponse, exception: ProtectionException): void {
    this.refused.push({
      req,
      status: exception.getStatus(),
      code: exception.code,
      retryAfter: exception.headers['Retry-After'],
    });
  }
}

const CLIENT = '203.0.113.1';

function limiter(
  settings: Partial<PerIpSettings>,
  rateLimit: RateLimitPort = new RateLimitMemory(100),
  ipv6Subnet?: number,
): PerIpLimiter {
  return new PerIpLimiter(
    { limit: 50, windowMs: 1000, maxConcurrent: null, onStoreError: 'open', ...settings },
    compileProxyTrust(['10.0.0.2']),
    compileProxyTrust(['10.0.0.1', '10.0.0.2']),
    { rateLimit },
    ipv6Subnet,
  );
}

async function check(
  l: PerIpLimiter,
  gate: RecordingGate,
  ex: Exchange = exchange(),
): Promise<Exchange> {
  l.limit(ex.req, ex.res, CLIENT, gate);
  await settle();
  return ex;
}

describe('PerIpLimiter', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('allows `limit` requests per sliding window: a place frees when the oldest leaves it', async () => {
    const l = limiter({ limit: 3, windowMs: 1000 });
    const gate = new RecordingGate();
    for (const at of [0, 400, 800]) {
      mock.timers.tick(at - (Date.now() - 1_000_000));
      await check(l, gate);
    }
    assert.equal(gate.admitted.length, 3);
    mock.timers.tick(100); // t = 900
    await check(l, gate);
    assert.deepEqual(
      gate.refused.map((r) => [r.status, r.retryAfter]),
      [[429, '1']],
    );
    mock.timers.tick(100); // t = 1000: the hit at 0 left the window
    await check(l, gate);
    assert.equal(gate.admitted.length, 4);
    mock.timers.tick(100); // t = 1100: hits at 400, 800, 1000 (a fixed window would allow it)
    await check(l, gate);
    assert.equal(gate.refused.length, 2);
    mock.timers.tick(300); // t = 1400
    await check(l, gate);
    assert.equal(gate.admitted.length, 5);
  });

  it('Retry-After is the whole seconds until a place frees, at least 1', async () => {
    const l = limiter({ limit: 1, windowMs: 5000 });
    const gate = new RecordingGate();
    await check(l, gate);
    mock.timers.tick(1000);
    await check(l, gate);
    assert.equal(gate.refused[0]?.retryAfter, '4');
  });

  it('caps requests in flight per IP at once; a client hang-up frees its slot', async () => {
    const l = limiter({ maxConcurrent: 2 });
    const gate = new RecordingGate();
    const first = await check(l, gate);
    await check(l, gate);
    const third = exchange();
    l.limit(third.req, third.res, CLIENT, gate);
    assert.deepEqual(
      gate.refused.map((r) => [r.status, r.retryAfter]),
      [[429, '1']],
      'refused without asking the store',
    );
    first.socket.hangUp();
    first.res.close();
    await check(l, gate);
    assert.equal(gate.admitted.length, 3);
    const other = exchange();
    l.limit(other.req, other.res, '198.51.100.7', gate);
    await settle();
    assert.equal(gate.admitted.length, 4, 'each IP has its own slots');
  });

  it('remembers a permitted peer on its connection; a forwarded client on it is judged by its own IP', () => {
    const l = limiter({});
    const proxy = new FakeSocket('10.0.0.2');
    const direct = exchange({ socket: proxy });
    assert.equal(l.clientOf(direct.req), null);
    assert.equal(l.clientOf(exchange({ socket: proxy }).req), null, 'asked once per connection');
    const forwarded = exchange({ socket: proxy, headers: { 'x-forwarded-for': '198.51.100.9' } });
    assert.equal(l.clientOf(forwarded.req), '198.51.100.9');
    assert.equal(l.clientOf(exchange().req), CLIENT, 'not on the permit list');
  });

  it('matches the permit list against the resolved client, not the proxy in front of it', () => {
    // The default permit list and default trust: loopback.
    const l = new PerIpLimiter(
      { limit: 50, windowMs: 1000, maxConcurrent: null, onStoreError: 'open' },
      compileProxyTrust(undefined),
      compileProxyTrust(['127.0.0.1', '::1']),
      { rateLimit: new RateLimitMemory(100) },
    );
    const local = new FakeSocket('::ffff:127.0.0.1');
    assert.equal(l.clientOf(exchange({ socket: local }).req), null, 'a direct local request');
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    assert.equal(
      l.clientOf(exchange({ socket: local, headers: forwarded }).req),
      '203.0.113.9',
      "a local proxy's client is not local",
    );
    const lan = new FakeSocket('10.0.0.7');
    const spoofs: Array<Record<string, string>> = [
      { 'x-real-ip': '::ffff:127.0.0.1' },
      { 'x-forwarded-for': '::1' },
    ];
    for (const headers of spoofs)
      assert.equal(l.clientOf(exchange({ socket: lan, headers }).req), '10.0.0.7');
  });

  it('reads only the configured forwarding header', () => {
    const l = new PerIpLimiter(
      { limit: 50, windowMs: 1000, maxConcurrent: null, onStoreError: 'open' },
      compileProxyTrust({ proxies: ['10.0.0.2'], header: 'x-real-ip' }),
      compileProxyTrust(['10.0.0.2']),
      { rateLimit: new RateLimitMemory(100) },
    );
    const proxy = new FakeSocket('10.0.0.2');
    const spoof = exchange({ socket: proxy, headers: { 'x-forwarded-for': '198.51.100.9' } });
    assert.equal(l.clientOf(spoof.req), null, 'X-Forwarded-For is not read: the proxy itself');
    const real = exchange({ socket: proxy, headers: { 'x-real-ip': '198.51.100.9' } });
    assert.equal(l.clientOf(real.req), '198.51.100.9');
  });

  it('counts an IPv6 client by its prefix: one /64 by default, or the configured length', () => {
    const key = (l: PerIpLimiter, peer: string): string | null =>
      l.clientOf(exchange({ socket: new FakeSocket(peer) }).req);
    const l = limiter({});
    assert.equal(key(l, '2001:db8:cc::1'), '2001:db8:cc::/64');
    assert.equal(key(l, '2001:0DB8:00CC:0000:ffff::9'), '2001:db8:cc::/64');
    assert.equal(key(l, '2001:db8:cc:1::1'), '2001:db8:cc:1::/64');
    assert.equal(key(l, '::ffff:203.0.113.4'), '203.0.113.4');
    const wide = limiter({}, undefined, 48);
    assert.equal(key(wide, '2001:db8:cc:1::1'), '2001:db8:cc::/48');
    assert.equal(key(limiter({}, undefined, 128), '2001:db8:cc:1::1'), '2001:db8:cc:1::1');
    assert.throws(() => limiter({}, undefined, 40), RangeError);
  });

  it('one budget per /64: addresses of one prefix share it, another prefix has its own', async () => {
    const l = limiter({ limit: 2, windowMs: 1000 });
    const gate = new RecordingGate();
    for (const peer of ['2001:db8:cc::1', '2001:db8:cc::2', '2001:db8:cc::3', '2001:db8:dd::1']) {
      const ex = exchange({ socket: new FakeSocket(peer) });
      l.limit(ex.req, ex.res, l.clientOf(ex.req) ?? 'permitted', gate);
      await settle();
    }
    assert.equal(gate.admitted.length, 3);
    assert.equal(gate.refused.length, 1);
    assert.equal(gate.refused[0]?.req.socket.remoteAddress, '2001:db8:cc::3');
  });

  it('fails open when the store is down (the global cap still holds)', async () => {
    Logger.overrideLogger(false); // the warnings are expected
    const down: RateLimitPort = {
      apply: () => Promise.reject(new StoreUnavailableError('down')),
      reset: () => Promise.resolve(),
    };
    const broken: RateLimitPort = {
      apply: () => Promise.reject(new Error('bug')),
      reset: () => Promise.resolve(),
    };
    for (const port of [down, broken]) {
      const gate = new RecordingGate();
      await check(limiter({}, port), gate);
      assert.equal(gate.admitted.length, 1);
    }
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it("while the store is down: 'local' applies the same limit in this process, 'closed' answers 503", async () => {
    Logger.overrideLogger(false); // the warnings are expected
    const down: RateLimitPort = {
      apply: () => Promise.reject(new StoreUnavailableError('down')),
      reset: () => Promise.resolve(),
    };
    const local = limiter({ limit: 2, onStoreError: 'local' }, down);
    const gate = new RecordingGate();
    for (let i = 0; i < 3; i++) await check(local, gate);
    assert.equal(gate.admitted.length, 2, 'the limit holds without the store');
    assert.equal(gate.refused.length, 1);
    const closedGate = new RecordingGate();
    await check(limiter({ onStoreError: 'closed' }, down), closedGate);
    assert.equal(closedGate.refused[0]?.status, 503);
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it('a full table never forgets a live window: new clients get 503 STORE_FULL (open: admitted)', async () => {
    Logger.overrideLogger(false); // the warnings are expected
    const full = new RateLimitMemory(2);
    const l = limiter({ limit: 1, onStoreError: 'local' }, full);
    const gate = new RecordingGate();
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.1']) {
      const ex = exchange();
      l.limit(ex.req, ex.res, ip, gate);
      await settle();
    }
    assert.equal(gate.admitted.length, 2);
    assert.deepEqual(
      gate.refused.map((r) => [r.code, r.retryAfter]),
      [
        ['STORE_FULL', '1'],
        ['TOO_MANY_REQUESTS', gate.refused[1]?.retryAfter],
      ],
      'the third client finds no room; the first is still counted',
    );
    assert.equal(gate.refused[1]?.status, 429);
    const open = limiter({ limit: 1, onStoreError: 'open' }, new RateLimitMemory(1));
    const openGate = new RecordingGate();
    await check(open, openGate);
    const other = exchange();
    open.limit(other.req, other.res, '198.51.100.9', openGate);
    await settle();
    assert.equal(openGate.admitted.length, 2, "'open' serves the client that found no room");
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  it("store down and the local table full: 'local' refuses with 503 STORE_FULL", async () => {
    Logger.overrideLogger(false);
    const down: RateLimitPort = {
      apply: () => Promise.reject(new StoreUnavailableError('down')),
      reset: () => Promise.resolve(),
    };
    const l = new PerIpLimiter(
      { limit: 5, windowMs: 1000, maxConcurrent: null, onStoreError: 'local' },
      compileProxyTrust(false),
      compileProxyTrust([]),
      { rateLimit: down },
      64,
      new RateLimitMemory(1),
    );
    const gate = new RecordingGate();
    for (const ip of ['198.51.100.1', '198.51.100.2']) {
      const ex = exchange();
      l.limit(ex.req, ex.res, ip, gate);
      await settle();
    }
    assert.equal(gate.admitted.length, 1);
    assert.equal(gate.refused[0]?.code, 'STORE_FULL');
    Logger.overrideLogger(['log', 'error', 'warn']);
  });
});
