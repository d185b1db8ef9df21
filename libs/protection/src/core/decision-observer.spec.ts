import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { resolveProtectionOptions } from '../protection-options.factory';
import type { ProtectionModuleOptions } from '../protection-options.interface';
import type { ProtectionDecision } from './decisions';
import type { ProtectionRequest } from './http.types';

/** A reader collected by hand. */
class ManualReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** An Express-like request routed to `GET /users/:id`, from `peer`. */
const req = (peer: string, headers: Record<string, string> = {}): ProtectionRequest =>
  ({
    method: 'GET',
    url: '/users/1?x=1',
    headers,
    socket: { remoteAddress: peer },
    route: { path: '/users/:id' },
    baseUrl: '',
  }) as unknown as ProtectionRequest;

const SECRET = 'a-test-secret-of-at-least-32-characters';

const observer = (options: ProtectionModuleOptions = {}) =>
  resolveProtectionOptions({
    identity: (r) => (r.headers['x-user'] as string | undefined) ?? null,
    ...options,
  }).decisions;

/** An observer started with an SDK registered (a reader collected by hand). */
function withSdk() {
  metrics.disable();
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  const o = observer();
  o.start();
  return { reader, provider, o };
}

describe('DecisionObserver', () => {
  after(() => metrics.disable());

  it('without an SDK (the no-op provider) makes no instruments: nothing is on', () => {
    metrics.disable();
    const o = observer();
    o.start();
    assert.equal(o.metrics, null);
    assert.equal(o.on, false);
  });

  it('hands onDecision a typed event: route pattern, client address key, kind of identity', () => {
    const seen: ProtectionDecision[] = [];
    const o = observer({ onDecision: (d) => seen.push(d) });
    assert.equal(o.on, true);
    o.record('rateLimit', req('203.0.113.7'), 'rejected', 'TOO_MANY_REQUESTS', 429);
    o.record('rateLimit', req('2001:db8:1:2::5', { 'x-user': 'u1' }), 'allowed');
    o.record('doubleKill', undefined, 'allowed', undefined, undefined, 'Jobs.run');
    const session = resolveProtectionOptions({ secret: SECRET }).identity.sessions.mint();
    const withSession = observer({ secret: SECRET, onDecision: (d) => seen.push(d) });
    withSession.record('debounce', req('198.51.100.4', { cookie: `session=${session}` }), 'reused');
    assert.deepEqual(seen, [
      {
        protection: 'rateLimit',
        route: 'GET /users/:id',
        outcome: 'rejected',
        client: '203.0.113.7',
        identity: 'address',
        reason: 'TOO_MANY_REQUESTS',
        status: 429,
      },
      {
        protection: 'rateLimit',
        route: 'GET /users/:id',
        outcome: 'allowed',
        client: '2001:db8:1:2::/64',
        identity: 'user',
      },
      {
        protection: 'doubleKill',
        route: 'Jobs.run',
        outcome: 'allowed',
        client: 'system',
        identity: 'system',
      },
      {
        protection: 'debounce',
        route: 'GET /users/:id',
        outcome: 'reused',
        client: '198.51.100.4',
        identity: 'session',
      },
    ]);
  });

  it('a throwing onDecision never escapes', () => {
    let calls = 0;
    const o = observer({
      onDecision: () => {
        calls++;
        throw new Error('listener bug');
      },
    });
    assert.doesNotThrow(() => o.record('signed', req('127.0.0.1'), 'allowed'));
    assert.doesNotThrow(() => o.record('signed', req('127.0.0.1'), 'allowed'));
    assert.equal(calls, 2);
  });

  it("the app's identity function failing on a request (overload: before routing) never escapes", () => {
    const seen: ProtectionDecision[] = [];
    const o = observer({
      identity: (r) => (r.user as { id: string }).id, // throws without an authenticated user
      onDecision: (d) => seen.push(d),
    });
    assert.doesNotThrow(() =>
      o.record('overload', req('127.0.0.1'), 'allowed', undefined, undefined, '*'),
    );
    assert.equal(seen.length, 0);
  });

  it('with an SDK registered, counts decisions by protection, route pattern and outcome', async () => {
    const { reader, provider, o } = withSdk();
    assert.ok(o.metrics, 'instruments made from the registered SDK');
    assert.equal(o.on, true);
    o.record('debounce', req('10.0.0.1'), 'allowed');
    o.record('debounce', req('10.0.0.2'), 'allowed');
    o.record('debounce', req('10.0.0.2'), 'shadow', 'DEBOUNCED', 208);
    let inFlight = 3;
    o.metrics.observeInflight(() => inFlight);
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const decisions = all.find((m) => m.descriptor.name === 'protection.decisions') as
      SumMetricData | undefined;
    assert.ok(decisions);
    // Counted in process and observed at collection: still a monotonic sum for the exporters.
    assert.equal(decisions.isMonotonic, true);
    const points = decisions.dataPoints.map((p) => [p.attributes, p.value]);
    assert.deepEqual(points, [
      [{ protection: 'debounce', route: 'GET /users/:id', outcome: 'allowed' }, 2],
      [{ protection: 'debounce', route: 'GET /users/:id', outcome: 'shadow' }, 1],
    ]);
    const inflight = all.find((m) => m.descriptor.name === 'protection.inflight') as
      SumMetricData | undefined;
    assert.equal(inflight?.dataPoints[0]?.value, 3);
    inFlight = 0;
    o.stop();
    await provider.shutdown();
  });

  it('keeps at most 1,000 routes of decision counts: the rest is counted under route "other"', async () => {
    const { reader, provider, o } = withSdk();
    for (let i = 0; i < 1005; i++)
      o.record('overload', undefined, 'allowed', undefined, undefined, `GET /r${i}`);
    const { resourceMetrics } = await reader.collect();
    const decisions = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'protection.decisions') as SumMetricData | undefined;
    const routes = new Map(
      (decisions?.dataPoints ?? []).map((p) => [
        (p.attributes as { route: string }).route,
        p.value,
      ]),
    );
    assert.equal(routes.size, 1001);
    assert.equal(routes.get('GET /r999'), 1);
    assert.equal(routes.has('GET /r1000'), false);
    assert.equal(routes.get('other'), 5);
    o.stop();
    await provider.shutdown();
  });
});
