import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after as afterAll, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startingAfter, eventually, post, request, sleep, type Reply } from './helpers/http';
import { startDemo, startRedisPair, type RedisPair, type RunningApp } from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

/* Redis mode across instances and through outages, against a real redis-server. */

let n = 0;
const key = (name: string): string => `${name}-${++n}-${Date.now()}`;

/** True once a fresh key is debounced again (first runs, duplicate gets 208). */
async function protectedAgain(nore: (p: string) => Promise<Reply>): Promise<boolean> {
  const p = key('probe');
  return (await nore(p)).status === 200 && (await nore(p)).status === 208;
}

describe('@Debounce across two app instances on one Redis (A: Fastify, B: Express)', () => {
  let pair: RedisPair;
  let a: RunningApp;
  let b: RunningApp;
  let redis: TestRedis;
  before(async () => {
    pair = await startRedisPair();
    ({ a, b, redis } = pair);
    await Promise.all([
      request(a.url + '/test/load/speed.html'),
      request(b.url + '/test/load/speed.html'),
    ]);
  });
  afterAll(() => pair.close());

  it("wakes a follower on B with A's response within 50 ms of A finishing (pub/sub, no polling)", async () => {
    for (let round = 0; round < 3; round++) {
      const k = key('cross');
      const [leader, follower] = await Promise.all([
        post(`${a.url}/test/debounce-slow.json?ms=300&k=${k}`),
        startingAfter(60, () => post(`${b.url}/test/debounce-slow.json?ms=300&k=${k}`)),
      ]);
      assert.equal(leader.status, 200);
      assert.equal(follower.text, leader.text);
      assert.equal(follower.headers.get('x-debounce'), 'reused');
      assert.match(follower.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
      const lag = follower.at - leader.at;
      assert.ok(lag < 50, `follower on B finished ${lag.toFixed(1)} ms after the leader on A`);
    }
  });

  it('answers a non-reuse follower on B with 208 while A leads', async () => {
    const p = key('nore');
    const first = await post(`${a.url}/test/debounce-nore.json?p=${p}`);
    const second = await post(`${b.url}/test/debounce-nore.json?p=${p}`);
    assert.equal(first.status, 200);
    assert.equal(second.status, 208);
    assert.equal(second.json<{ code: string }>().code, 'DEBOUNCED');
    assert.equal(second.headers.get('retry-after'), '1');
  });

  it('serves a response stored by A to a later duplicate on B at once', async () => {
    const p = key('stored');
    const leader = await post(`${a.url}/test/debounce-body.json?p=${p}`, { json: { q: 'z' } });
    const follower = await startingAfter(50, () =>
      post(`${b.url}/test/debounce-body.json?p=${p}`, { json: { q: 'z' } }),
    );
    assert.equal(follower.text, leader.text);
    assert.equal(follower.headers.get('x-debounce'), 'reused');
    assert.ok(follower.ms < 50, `took ${follower.ms.toFixed(1)} ms`);
  });

  it('keeps every key prefixed, hash-tagged and expiring', async () => {
    await post(`${a.url}/test/debounce-view.json?p=${key('ttl')}`);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      assert.ok(keys.length > 0);
      for (const k of keys) {
        assert.match(k, /^np:[a-z-]+:\{.+\}/, k);
        if (k.startsWith('np:secret:')) continue; // one shared secret per feature, see README
        const ttl = await client.pttl(k);
        assert.ok(ttl > 0, `${k} has no TTL (${ttl})`);
      }
    } finally {
      client.disconnect();
    }
  });

  it('runs the handler once for 100 concurrent duplicates spread over both instances', async () => {
    const p = key('burst');
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(`${(i % 2 ? a : b).url}/test/debounce-view.json?p=${p}`, { json: { q: 'q' } }),
      ),
    );
    assert.ok(
      replies.every((r) => r.status === 200),
      replies.map((r) => r.status).join(','),
    );
    assert.equal(new Set(replies.map((r) => r.text)).size, 1, 'one leader response for all');
    assert.equal(replies.filter((r) => r.headers.get('x-debounce') === 'reused').length, 99);
  });
});

describe('Redis clients: ours are closed, yours are not', () => {
  it('closes a client it created and leaves a user-provided client open', async () => {
    const redis = await TestRedis.start();
    const mine = new Redis(redis.url);
    try {
      const withUrl = await startDemo({ platform: 'fastify', redisUrl: redis.url });
      const withClient = await startDemo({
        platform: 'express',
        protection: { store: { redis: mine } },
      });
      const p = key('client');
      assert.equal((await post(`${withClient.url}/test/debounce-nore.json?p=${p}`)).status, 200);
      assert.equal(
        (await post(`${withClient.url}/test/debounce-nore.json?p=${p}`)).status,
        208,
        'protects through the given client',
      );
      const before = Number(/connected_clients:(\d+)/.exec(await mine.info('clients'))?.[1]);
      await withUrl.close();
      await withClient.close();
      assert.equal(mine.status, 'ready', 'the user client stays open');
      assert.equal(await mine.ping(), 'PONG');
      const after = Number(/connected_clients:(\d+)/.exec(await mine.info('clients'))?.[1]);
      // withUrl had a command client and a subscriber; withClient had only its subscriber.
      assert.equal(before - after, 3, `connections before ${before}, after ${after}`);
    } finally {
      mine.disconnect();
      await redis.stop();
    }
  });
});

describe('@Debounce while Redis fails (onStoreError: open)', () => {
  let redis: TestRedis;
  let app: RunningApp;
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  before(async () => {
    redis = await TestRedis.start();
  });
  afterAll(() => redis.stop());
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  for (const platform of ['fastify', 'express'] as const) {
    it(`keeps answering on ${platform} when Redis dies, never waiting on it, and resumes when it is back`, async () => {
      await redis.start();
      app = await startDemo({
        platform,
        protection: { store: { redis: redis.url, commandTimeout: 300 } },
      });
      try {
        const nore = (p: string): Promise<Reply> =>
          post(`${app.url}/test/debounce-nore.json?p=${p}`);
        const p1 = key('up');
        assert.equal((await nore(p1)).status, 200);
        assert.equal((await nore(p1)).status, 208, 'protected while Redis is up');

        // A reuse follower is waiting on a slow leader when Redis dies.
        const k = key('mid');
        const leader = post(`${app.url}/test/debounce-slow.json?ms=300&k=${k}`);
        const follower = startingAfter(50, () =>
          post(`${app.url}/test/debounce-slow.json?ms=300&k=${k}`),
        );
        await sleep(120);
        await redis.stop();
        const [l, f] = await Promise.all([leader, follower]);
        assert.equal(l.status, 200);
        assert.ok([200, 208].includes(f.status), `follower: ${f.status}`);
        assert.ok(f.ms < 900, `follower waited ${f.ms.toFixed(0)} ms (window is 600)`);

        // Redis down: duplicates run unprotected (fail-open), fast.
        const p2 = key('down');
        const down = await Promise.all([
          nore(p2),
          nore(p2),
          nore(p2),
          post(`${app.url}/test/debounce-view.json?p=${p2}`),
        ]);
        for (const r of down) {
          assert.equal(r.status, 200, r.text);
          assert.ok(r.ms < 300, `request waited ${r.ms.toFixed(0)} ms on a dead Redis`);
        }
        assert.equal(new Set(down.slice(0, 3).map((r) => r.text)).size, 3, 'each ran its handler');

        // Redis back on the same port: protection resumes once the client reconnects.
        await redis.start();
        assert.ok(
          await eventually(() => protectedAgain(nore)),
          'debounce works again after Redis restarts',
        );
        assert.deepEqual(unhandled, []);
      } finally {
        await app.close();
      }
    });
  }

  it('boots while Redis is down, serves unprotected, and protects once Redis comes up', async () => {
    await redis.stop();
    app = await startDemo({ platform: 'fastify', redisUrl: redis.url });
    try {
      const nore = (p: string): Promise<Reply> => post(`${app.url}/test/debounce-nore.json?p=${p}`);
      const p0 = key('boot-down');
      assert.deepEqual([(await nore(p0)).status, (await nore(p0)).status], [200, 200]);
      await redis.start();
      assert.ok(await eventually(() => protectedAgain(nore)), 'protected after Redis came up');
      assert.deepEqual(unhandled, []);
    } finally {
      await app.close();
    }
  });

  it('never lets a hung Redis (SIGSTOP) hold a request past the command timeout', async () => {
    await redis.start();
    app = await startDemo({
      platform: 'fastify',
      protection: { store: { redis: redis.url, commandTimeout: 200 } },
    });
    try {
      const p = key('hung');
      assert.equal((await post(`${app.url}/test/debounce-nore.json?p=${p}`)).status, 200);
      redis.pause();
      const replies = await Promise.all(
        [1, 2, 3].map(() => post(`${app.url}/test/debounce-nore.json?p=${key('hung')}`)),
      );
      for (const r of replies) {
        assert.equal(r.status, 200);
        assert.ok(
          r.ms < 200 + 250,
          `request took ${r.ms.toFixed(0)} ms with a 200 ms command timeout`,
        );
      }
      redis.resume();
      assert.deepEqual(unhandled, []);
    } finally {
      redis.resume();
      await app.close();
    }
  });
});
