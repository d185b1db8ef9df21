import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { mintSession, startingAfter, post, request, type Reply } from './helpers/http';
import { PLATFORMS, startDemo, type RunningApp } from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

const STORES = ['memory', 'redis'] as const;

/*
 * @Debounce against the demo's fixtures, on each platform: leaders, followers, reuse and windows.
 * Each test uses its own `p` (or session) so keys never leak between tests.
 */

let unique = 0;
const id = (name: string): string => `${name}-${++unique}-${Date.now()}`;
const parallel = <T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

function assertDebounced(r: Reply, label = 'follower'): void {
  assert.equal(r.status, 208, `${label}: ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json(; charset=utf-8)?$/);
  assert.deepEqual(r.json(), {
    statusCode: 208,
    code: 'DEBOUNCED',
    message: 'Duplicate request, debounced',
  });
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${r.headers.get('retry-after')}`);
}

let redis: TestRedis;
before(async () => {
  redis = await TestRedis.start();
});
afterAll(() => redis.stop());

for (const [platform, store] of PLATFORMS.flatMap((p) => STORES.map((s) => [p, s] as const))) {
  describe(`@Debounce on ${platform} (${store} store)`, () => {
    let demo: RunningApp;
    let base: string;
    before(async () => {
      demo = await startDemo({ platform, ...(store === 'redis' ? { redisUrl: redis.url } : {}) });
      base = demo.url + '/test';
      await request(base + '/load/speed.html'); // warm the connection pool
    });
    afterAll(() => demo.close());

    describe('reuse: false', () => {
      it('runs the leader once and answers duplicates with 208 DEBOUNCED at once', async () => {
        const p = id('nore');
        const replies = await parallel(5, () =>
          post(`${base}/debounce-nore.json?p=${p}`, { json: { q: 'x' } }),
        );
        const ok = replies.filter((r) => r.status === 200);
        assert.equal(ok.length, 1, replies.map((r) => r.status).join(','));
        assert.match(ok[0]!.text, new RegExp(`^${p}::\\d+::x$`));
        assert.match(ok[0]!.headers.get('content-type') ?? '', /^text\/plain/);
        for (const r of replies.filter((x) => x.status !== 200)) assertDebounced(r);

        const late = await post(`${base}/debounce-nore.json?p=${p}`, { json: { q: 'x' } });
        assertDebounced(late, 'sequential duplicate');
        assert.ok(late.ms < 50, `preset answer took ${late.ms.toFixed(1)} ms`);
        assert.equal(late.headers.get('retry-after'), '1');
      });

      it('keys on query (canonical), User-Agent and a signed session, not on the body', async () => {
        const p = id('keys');
        const [s1, s2] = [await mintSession(base), await mintSession(base)];
        const url = `${base}/debounce-nore.json?p=${p}`;
        assert.equal((await post(`${url}&a=1&b=2`)).status, 200);
        // Right after the leader, well inside its 600 ms window.
        for (const forged of ['sess-' + p, s1.slice(0, 44) + 'x'])
          assertDebounced(
            await post(`${url}&a=1&b=2`, { headers: { session: forged } }),
            `a session the app did not sign (${forged}) is no new identity`,
          );
        assertDebounced(await post(`${base}/debounce-nore.json?b=2&p=${p}&a=1`), 'reordered query');
        assert.equal((await post(`${url}&a=1&b=3`)).status, 200, 'other query value');
        assert.equal(
          (await post(`${url}&a=1&b=2`, { headers: { 'user-agent': 'other' } })).status,
          200,
          'other User-Agent',
        );
        assert.equal(
          (await post(`${url}&a=1&b=2`, { headers: { session: s1 } })).status,
          200,
          'a signed session',
        );
        assert.equal(
          (await post(`${url}&a=1&b=2`, { headers: { cookie: `session=${s2}` } })).status,
          200,
          'another signed session, as a cookie',
        );
        assertDebounced(
          await post(`${url}&a=1&b=2`, { json: { q: 'different body' } }),
          'body is not in the key',
        );
      });

      it('takes a new leader once the window (600 ms) has passed', async () => {
        const p = id('window');
        const first = await post(`${base}/debounce-nore.json?p=${p}`);
        assert.equal(first.status, 200);
        assertDebounced(await startingAfter(300, () => post(`${base}/debounce-nore.json?p=${p}`)));
        const again = await startingAfter(400, () => post(`${base}/debounce-nore.json?p=${p}`));
        assert.equal(again.status, 200, again.text);
        assert.notEqual(again.text, first.text, 'the handler ran again (new seq)');
      });

      it('keeps sessionless clients apart (identity = IP + User-Agent hash)', async () => {
        const p = id('anon');
        const a = await post(`${base}/debounce-nore.json?p=${p}`, {
          headers: { 'user-agent': 'A' },
        });
        const b = await post(`${base}/debounce-nore.json?p=${p}`, {
          headers: { 'user-agent': 'B' },
        });
        assert.deepEqual([a.status, b.status], [200, 200]);
      });
    });

    describe('reuse: true', () => {
      it("gives every duplicate the leader's status, bytes, content type, with X-Debounce: reused", async () => {
        const p = id('view');
        const replies = await parallel(6, () =>
          post(`${base}/debounce-view.json?p=${p}`, { json: { q: 'v' } }),
        );
        const bodies = new Set(replies.map((r) => r.text));
        assert.equal(bodies.size, 1, [...bodies].join(' | '));
        assert.match(replies[0]!.text, new RegExp(`^${p}::\\d+::v$`));
        for (const r of replies) {
          assert.equal(r.status, 200);
          assert.match(r.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
        }
        const reused = replies.filter((r) => r.headers.get('x-debounce') === 'reused');
        assert.equal(reused.length, 5);
      });

      it('answers a duplicate that arrives after the leader finished at once, from the store', async () => {
        const p = id('stored');
        const leader = await post(`${base}/debounce-view.json?p=${p}`);
        const follower = await startingAfter(100, () => post(`${base}/debounce-view.json?p=${p}`));
        assert.equal(follower.text, leader.text);
        assert.equal(follower.headers.get('x-debounce'), 'reused');
        assert.ok(follower.ms < 50, `stored response took ${follower.ms.toFixed(1)} ms`);
      });

      it('wakes a waiting follower the moment a slow leader completes', async () => {
        const k = id('wake2');
        const [l, f] = await Promise.all([
          post(`${base}/debounce-slow.json?ms=300&k=${k}`),
          startingAfter(50, () => post(`${base}/debounce-slow.json?ms=300&k=${k}`)),
        ]);
        assert.equal(f.text, l.text);
        assert.equal(f.headers.get('x-debounce'), 'reused');
        assert.ok(
          Math.abs(f.at - l.at) < 50,
          `follower finished ${(f.at - l.at).toFixed(1)} ms after the leader`,
        );
      });

      it('answers 208 when the leader is still running at the end of the window', async () => {
        const k = id('outlive');
        const leader = post(`${base}/debounce-slow.json?ms=1200&k=${k}`);
        const follower = await startingAfter(100, () =>
          post(`${base}/debounce-slow.json?ms=1200&k=${k}`),
        );
        assertDebounced(follower);
        // Waited for the window (600 ms from the leader's arrival), not for the leader.
        assert.ok(
          follower.ms > 350 && follower.ms < 900,
          `follower waited ${follower.ms.toFixed(0)} ms`,
        );
        assert.equal((await leader).status, 200);
      });

      it("gives a follower only its own leader's response, never an older leader's", async () => {
        const k = id('own');
        const started = performance.now();
        const l1 = post(`${base}/debounce-slow.json?ms=900&k=${k}`);
        // After l1's window (600 ms) a new leader takes the key and finishes before l1 does.
        const l2 = startingAfter(650, () => post(`${base}/debounce-slow.json?ms=100&k=${k}`));
        const f2 = startingAfter(700, () => post(`${base}/debounce-slow.json?ms=100&k=${k}`));
        const f3 = startingAfter(820, () => post(`${base}/debounce-slow.json?ms=100&k=${k}`));
        const [r1, r2, rf2, rf3] = await Promise.all([l1, l2, f2, f3]);
        assert.ok(performance.now() - started < 2000);
        assert.equal(r1.status, 200);
        assert.equal(r2.status, 200);
        assert.equal(r2.headers.get('x-debounce'), null, 'second leader ran its own handler');
        assert.notEqual(r1.text, r2.text);
        assert.equal(rf2.text, r2.text, 'waiting follower got its own leader');
        assert.equal(rf3.text, r2.text, 'later follower got the stored response of its own leader');
        assert.ok(r1.at > r2.at, 'the old leader finished last and was not reused');
      });

      it('reuses what an exception filter answered (200 error-seq)', async () => {
        const sess = { headers: { 'user-agent': id('err') } };
        const replies = await parallel(4, () => post(`${base}/debounce-error.json`, sess));
        const texts = new Set(replies.map((r) => r.text));
        assert.equal(texts.size, 1, [...texts].join(' | '));
        assert.match(replies[0]!.text, /^error-seq:\d+$/);
        for (const r of replies) assert.equal(r.status, 200);
        assert.equal(replies.filter((r) => r.headers.get('x-debounce') === 'reused').length, 3);
      });

      it('answers followers of a failed (500) leader with 208 at once, storing nothing', async () => {
        const sess = { headers: { 'user-agent': id('boom') } };
        const leader = post(`${base}/debounce-boom.json`, sess);
        const follower = startingAfter(30, () => post(`${base}/debounce-boom.json`, sess));
        const [l, f] = await Promise.all([leader, follower]);
        assert.equal(l.status, 500);
        assertDebounced(f);
        assert.ok(f.ms < 300, `follower of a failed leader waited ${f.ms.toFixed(0)} ms`);
        const later = await post(`${base}/debounce-boom.json`, sess);
        assertDebounced(later, 'duplicate after failure, still in the window');
      });

      it('keys on the canonical JSON body', async () => {
        const p = id('body');
        const a = await post(`${base}/debounce-body.json?p=${p}`, {
          body: '{"q":"a","x":{"b":1,"a":2}}',
          headers: { 'content-type': 'application/json' },
        });
        const b = await post(`${base}/debounce-body.json?p=${p}`, {
          body: '{"x":{"a":2,"b":1},"q":"a"}',
          headers: { 'content-type': 'application/json' },
        });
        const c = await post(`${base}/debounce-body.json?p=${p}`, { json: { q: 'b' } });
        assert.deepEqual(a.json(), { success: true, data: a.json<{ data: string }>().data });
        assert.match(a.json<{ data: string }>().data, new RegExp(`^${p}::\\d+::a$`));
        assert.equal(b.text, a.text, 'same body with keys reordered is a duplicate');
        assert.equal(b.headers.get('x-debounce'), 'reused');
        assert.match(b.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(c.status, 200);
        assert.equal(c.headers.get('x-debounce'), null, 'another body is another key');
      });

      it('runs the handler exactly once for a burst of 100 identical concurrent requests', async () => {
        const p = id('burst');
        const replies = await parallel(100, () =>
          post(`${base}/debounce-view.json?p=${p}`, { json: { q: 'b' } }),
        );
        assert.ok(
          replies.every((r) => r.status === 200),
          replies.map((r) => r.status).join(','),
        );
        assert.equal(new Set(replies.map((r) => r.text)).size, 1);
        assert.equal(replies.filter((r) => r.headers.get('x-debounce') === 'reused').length, 99);
        const seqBefore = Number(replies[0]!.text.split('::')[1]);
        const next = await post(`${base}/debounce-view.json?p=${id('burst-next')}`);
        assert.equal(
          Number(next.text.split('::')[1]),
          seqBefore + 1,
          'seq advanced once for the whole burst',
        );
      });
    });

    it('leaves unannotated routes alone', async () => {
      const replies = await parallel(5, () => request(`${base}/load/speed.html`));
      for (const r of replies) assert.deepEqual([r.status, r.text], [200, 'speed']);
    });

    it('mints sessions on /test/session.json (header, cookie, body)', async () => {
      const r = await request(`${base}/session.json`);
      const { session } = r.json<{ session: string }>();
      assert.match(session, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
      assert.equal(r.headers.get('session'), session);
      assert.match(r.headers.get('set-cookie') ?? '', new RegExp(`^session=${session};`));
    });
  });
}
