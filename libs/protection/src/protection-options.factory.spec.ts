import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveProtectionOptions } from './protection-options.factory';
import type { ProtectionModuleOptions } from './protection-options.interface';

describe('resolveProtectionOptions', () => {
  it('fills every default and freezes the result', () => {
    const o = resolveProtectionOptions({});
    assert.deepEqual(o.store, { kind: 'memory' });
    assert.equal(o.memory.maxEntries, 100_000);
    assert.deepEqual(
      { ...o.debounce },
      {
        waiting: 500,
        maxEntries: 100_000,
        maxBodyBytes: 1048576,
        response: undefined,
        onStoreError: 'open',
        mode: 'enforce',
      },
    );
    assert.equal(o.identity.sessionCookie, 'session');
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.debounce));
  });

  it("reads every protection's mode, enforce by default", () => {
    const o = resolveProtectionOptions({});
    for (const key of [
      'debounce',
      'doubleKill',
      'firstBlood',
      'righter',
      'rateLimit',
      'signed',
    ] as const)
      assert.equal(o[key]?.mode, 'enforce', key);
    assert.equal(o.page?.mode, 'enforce');
    assert.equal(o.overload?.mode, 'enforce');
    const shadow = resolveProtectionOptions({
      debounce: { mode: 'shadow' },
      doubleKill: { mode: 'shadow' },
      firstBlood: { mode: 'shadow' },
      righter: { mode: 'shadow' },
      rateLimit: { mode: 'shadow' },
      signed: { mode: 'shadow' },
      page: { mode: 'shadow' },
      overload: { mode: 'shadow' },
    });
    for (const key of [
      'debounce',
      'doubleKill',
      'firstBlood',
      'righter',
      'rateLimit',
      'signed',
    ] as const)
      assert.equal(shadow[key]?.mode, 'shadow', key);
    assert.equal(shadow.page?.mode, 'shadow');
    assert.equal(shadow.overload?.mode, 'shadow');
  });

  it('reads metrics and onDecision: metrics wanted by default, no listener, nothing on', () => {
    const o = resolveProtectionOptions({});
    assert.equal(o.decisions.metricsWanted, true);
    assert.equal(o.decisions.on, false, 'no onDecision and not started: nothing is recorded');
    const listened = resolveProtectionOptions({ metrics: false, onDecision: () => undefined });
    assert.equal(listened.decisions.metricsWanted, false);
    assert.equal(listened.decisions.on, true);
    listened.decisions.start();
    assert.equal(listened.decisions.metrics, null, 'metrics: false never makes instruments');
  });

  it('switches a protection off with false', () => {
    assert.equal(resolveProtectionOptions({ debounce: false }).debounce, null);
  });

  it('resolves a Redis store with its defaults', () => {
    const o = resolveProtectionOptions({
      secret: 'a-test-secret-of-at-least-32-characters',
      store: { redis: 'redis://127.0.0.1:6379' },
    });
    assert.equal(o.store.kind, 'redis');
    if (o.store.kind === 'redis') {
      assert.equal(o.store.settings.prefix, 'np');
      assert.equal(o.store.settings.commandTimeout, 500);
    }
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      'debounce.waiting',
      { debounce: { waiting: 1.5 } },
      /"debounce.waiting" is 1.5; expected a whole number/,
    ],
    [
      'debounce.onStoreError',
      { debounce: { onStoreError: 'sometimes' } },
      /"debounce.onStoreError" is "sometimes"; expected 'open' or 'closed'/,
    ],
    [
      'debounce.response.status',
      { debounce: { response: { status: 99 } } },
      /"debounce.response.status" is 99/,
    ],
    [
      'debounce.response.contentType',
      { debounce: { response: { contentType: 'text/plain' } } },
      /"debounce.response.contentType" is "text\/plain"; expected a JSON media type/,
    ],
    ['store', { store: 'redis' }, /"store" is "redis"; expected 'memory' or \{ redis/],
    ['store.prefix', { store: { redis: 'redis://x', prefix: 'a b' } }, /"store.prefix" is "a b"/],
    [
      'store.prefix with braces',
      { secret: 'x'.repeat(32), store: { redis: 'redis://x', prefix: 'app{1}' } },
      /"store.prefix" is "app\{1\}"; expected a prefix without \{ or \} \(Redis Cluster hashes a key by the part in braces/,
    ],
    [
      'store.redis URL scheme',
      { store: { redis: 'http://x:6379' } },
      /"store.redis" is "http:\/\/x:6379"; expected a redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\/ URL/,
    ],
    [
      'store.redis.cluster',
      { store: { redis: { cluster: ['127.0.0.1'] } } },
      /"store.redis.cluster" is \["127.0.0.1"\]; expected a non-empty list of 'host:port' or \{ host, port \}/,
    ],
    ['memory.maxEntries', { memory: { maxEntries: 0 } }, /"memory.maxEntries" is 0/],
    ['trustProxy', { trustProxy: ['not-an-ip/99'] }, /"trustProxy"/],
    ['identity', { identity: 'header' }, /"identity" is "header"; expected a function/],
    [
      'rateLimit.mode',
      { rateLimit: { mode: 'dry' } },
      /ProtectionModule: option "rateLimit.mode" is "dry"; expected 'enforce' or 'shadow'\.$/,
    ],
    [
      'debounce.mode',
      { debounce: { mode: true } },
      /"debounce.mode" is true; expected 'enforce' or 'shadow'/,
    ],
    ['doubleKill.mode', { doubleKill: { mode: 'Shadow' } }, /"doubleKill.mode" is "Shadow"/],
    ['firstBlood.mode', { firstBlood: { mode: 1 } }, /"firstBlood.mode" is 1; expected 'enforce'/],
    ['righter.mode', { righter: { mode: 'log' } }, /"righter.mode" is "log"/],
    ['signed.mode', { signed: { mode: null } }, /"signed.mode" is null/],
    [
      'overload.mode',
      { overload: { mode: 'warn' } },
      /"overload.mode" is "warn"; expected 'enforce' or 'shadow'/,
    ],
    ['metrics', { metrics: 'yes' }, /"metrics" is "yes"; expected true or false/],
    [
      'onDecision',
      { onDecision: 'console' },
      /"onDecision" is "console"; expected a function \(decision\) => void/,
    ],
    [
      'unknown',
      { debounce: { wait: 5 } },
      /unknown option "debounce.wait"; known options here: waiting/,
    ],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects a wrong ${name} naming the option`, () => {
      assert.throws(() => resolveProtectionOptions(options as ProtectionModuleOptions), message);
    });
  }
});
