import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  DoubleKillException,
  DoubleKillKeyException,
  ProgressService,
  type ProgressRecord,
} from 'nest-protection';
import { RedisStore } from 'nest-protection/redis';
import { DoubleKillTestModule, LockedService, runs } from './helpers/double-kill-app';
import { startingAfter, eventually, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  startRedisPair,
  TEST_SECRET,
  type RedisPair,
  type RunningApp,
} from './helpers/platforms';

/* @DoubleKill locks, async runs, progress and leases, on both platforms, memory and a real Redis. */

type Killed = { statusCode: number; code: string; message: string; key: string; elapsed: number };
type Rejected = { statusCode: number; code: string; message: string };
let n = 0;
const uniq = (name: string): string => `${name}-${++n}-${Date.now()}`;

function assertKilled(r: Reply): Killed {
  assert.equal(r.status, 202, r.text);
  const body = r.json<Killed>();
  assert.equal(body.code, 'DOUBLE_KILLED');
  assert.equal(body.message, 'Request Too Busy, Take A Coffee');
  assert.match(body.key, /^[A-Za-z0-9_-]{22}$/);
  return body;
}

for (const platform of PLATFORMS) {
  describe(`@DoubleKill on ${platform}`, () => {
    let demo: RunningApp;
    let app: RunningApp;
    let service: LockedService;
    before(async () => {
      demo = await startDemo({ platform });
      app = await startModule(DoubleKillTestModule.with({}), platform);
      service = app.app.get(LockedService);
    });
    afterAll(() => Promise.all([demo.close(), app.close()]));

    it('runs one of 20 concurrent identical calls; 19 get 202 with one progress key and the elapsed seconds', async () => {
      const s = { headers: { 'user-agent': uniq('s20') } };
      const [replies, late] = await Promise.all([
        Promise.all(
          Array.from({ length: 20 }, () => request(`${demo.url}/test/double-kill.json?s=2.2`, s)),
        ),
        startingAfter(1300, () => request(`${demo.url}/test/double-kill.json?s=2.2`, s)),
      ]);
      const ok = replies.filter((r) => r.status === 200);
      assert.equal(ok.length, 1);
      assert.deepEqual(ok[0]?.json(), { success: true, data: 'login page' });
      const killed = replies.filter((r) => r.status !== 200).map(assertKilled);
      assert.equal(killed.length, 19);
      assert.equal(new Set(killed.map((k) => k.key)).size, 1, 'one progress key');
      assert.ok(killed.every((k) => k.elapsed === 0));
      const lateBody = assertKilled(late);
      assert.equal(lateBody.key, killed[0]?.key);
      assert.equal(lateBody.elapsed, 1, 'about 1.3 s into the run');
      const next = await request(`${demo.url}/test/double-kill.json?s=0`, s);
      assert.equal(next.status, 200, 'the lock was released');
    });

    it('keys on the client identity (principal) and on the key function', async () => {
      const [a, b] = await Promise.all([
        request(`${demo.url}/test/double-kill.json?s=0.3`, {
          headers: { 'user-agent': uniq('p1') },
        }),
        request(`${demo.url}/test/double-kill.json?s=0.3`, {
          headers: { 'user-agent': uniq('p2') },
        }),
      ]);
      assert.deepEqual([a.status, b.status], [200, 200], 'two clients never block each other');
      const type = uniq('t');
      const [x, y, z] = await Promise.all([
        request(`${demo.url}/test/double-kill-service.json?type=${type}&s=0.3`),
        startingAfter(50, () =>
          request(`${demo.url}/test/double-kill-service.json?type=${type}&s=0.3`),
        ),
        request(`${demo.url}/test/double-kill-service.json?type=${type}-other&s=0.3`),
      ]);
      assert.deepEqual(x.json(), { success: true, data: `${type}-0.3` });
      assertKilled(y);
      assert.equal(z.status, 200, 'another key runs');
    });

    it('never lets two methods with the same static key block each other', async () => {
      const [a, b] = await Promise.all([
        request(`${app.url}/dk/first?ms=200`),
        request(`${app.url}/dk/second?ms=200`),
      ]);
      assert.deepEqual([a.text, b.text], ['first', 'second']);
    });

    it('holds through dependency injection, outside HTTP, and releases when the method throws', async () => {
      const id = uniq('boom');
      const results = await Promise.allSettled([service.boom(id), service.boom(id)]);
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : null));
      assert.ok(
        reasons.some((e) => e instanceof DoubleKillException),
        'the second call is killed',
      );
      assert.ok(
        reasons.some((e) => e?.message === `boom ${id}`),
        'the first throws its own error',
      );
      await assert.rejects(
        service.boom(id),
        /boom/,
        'released after the throw: the next call runs',
      );
      assert.equal(
        await service.plain(21),
        42,
        'a sync method works too (its result comes as a Promise)',
      );
    });

    it('async mode: one background run, the same key to every caller, readable progress, then done', async () => {
      const progress = app.app.get(ProgressService);
      const id = uniq('bg');
      const before = runs.count;
      const calls = await Promise.allSettled([
        service.background(id, 400),
        service.background(id, 400),
        startingAfter(150, () => service.background(id, 400)),
      ]);
      const keys = calls.map((c) =>
        c.status === 'rejected' && c.reason instanceof DoubleKillException
          ? c.reason.progressKey
          : 'none',
      );
      assert.equal(new Set(keys).size, 1, keys.join(','));
      const key = keys[0] as string;
      assert.equal(runs.count - before, 1, 'one background run');
      assert.ok(
        await eventually(async () => ((await progress.get(key))?.percent ?? 0) >= 50, 2000),
        'progress reported',
      );
      assert.equal((await progress.get(key))?.done, false);
      assert.ok(await eventually(async () => (await progress.get(key))?.done === true, 3000));
      const done = (await progress.get(key)) as ProgressRecord;
      assert.equal(done.result, `done ${id}`);
      assert.equal(done.percent, 100);
      assert.ok(done.stoppedAt !== null && done.stoppedAt >= done.startedAt);
      const again = await Promise.allSettled([service.background(id, 10)]);
      assert.equal(runs.count - before, 2, 'after it is done, a new call starts a new run');
      const reason = (again[0] as PromiseRejectedResult).reason as unknown;
      assert.ok(reason instanceof DoubleKillException);
      assert.match(reason.progressKey, /^[A-Za-z0-9_-]{22,}$/);
      assert.notEqual(reason.progressKey, key, 'a new run, a new random key');
    });

    it('serves progress over HTTP on the demo: random keys, readable only by the client that started the job', async () => {
      const mine = { headers: { 'user-agent': uniq('owner') } };
      const other = { headers: { 'user-agent': uniq('other') } };
      const first = assertKilled(
        await request(`${demo.url}/test/double-kill-async.json?s=0.2`, mine),
      );
      const running = assertKilled(
        await request(`${demo.url}/test/double-kill-async.json?s=0.2`, mine),
      );
      assert.equal(running.key, first.key, 'a concurrent call gets the running job key');
      const p = await request(`${demo.url}/test/progress/${first.key}`, mine);
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json<ProgressRecord>().key, first.key);
      const stranger = await request(`${demo.url}/test/progress/${first.key}`, other);
      assert.equal(stranger.status, 404, 'another identity holding the key finds nothing');
      assert.ok(
        await eventually(
          async () =>
            (await request(`${demo.url}/test/progress/${first.key}`, mine)).json<ProgressRecord>()
              .done === true,
          3000,
        ),
      );
      const done = (await request(`${demo.url}/test/progress/${first.key}`, mine)).json();
      assert.equal('result' in (done as object), false, 'no result without keepResult');
      const second = assertKilled(
        await request(`${demo.url}/test/double-kill-async.json?s=0`, mine),
      );
      assert.notEqual(second.key, first.key, 'same method and args, a new job: a new key');
      assert.equal((await request(`${demo.url}/test/progress/unknown-key`, mine)).status, 404);
    });

    it('keeps the result in the progress record only with keepResult', async () => {
      const mine = { headers: { 'user-agent': uniq('keep') } };
      const other = { headers: { 'user-agent': uniq('keep-other') } };
      for (const keep of ['1', '0']) {
        const id = uniq('job');
        const { key } = assertKilled(
          await request(`${app.url}/dk/job?id=${id}&ms=50&keep=${keep}`, mine),
        );
        const read = (h = mine): Promise<Reply> => request(`${app.url}/dk-progress/${key}`, h);
        assert.ok(await eventually(async () => (await read()).json<ProgressRecord>().done, 3000));
        const record = (await read()).json<ProgressRecord>();
        if (keep === '1') assert.equal(record.result, `done ${id}`);
        else assert.equal('result' in record, false, JSON.stringify(record));
        assert.equal((await read(other)).status, 404);
      }
    });

    it('checkNull: only an actual null key is refused, with 400 naming the method', async () => {
      for (const type of ['annulled', 'Bernulli', 'undefined-ish']) {
        const r = await request(`${demo.url}/test/double-kill-service.json?type=${type}&s=0`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json(), { success: true, data: `${type}-0` });
      }
      assert.equal(
        (await request(`${app.url}/dk/nullable?v=user-undefined`)).text,
        'user-undefined',
      );
      const r = await request(`${app.url}/dk/nullable?v=null`);
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.json<Rejected>(), {
        statusCode: 400,
        code: 'DOUBLE_KILL_NULL_KEY',
        message: 'LockedService.nullable: The lock key is null or undefined',
      });
    });

    it('answers 400 naming the method when the key function throws', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await request(`${app.url}/dk/throwing-key?v=throw`);
        assert.equal(r.status, 400, r.text);
        assert.deepEqual(r.json<Rejected>(), {
          statusCode: 400,
          code: 'DOUBLE_KILL_KEY_FAILED',
          message: 'LockedService.throwingKey: The lock key could not be computed',
        });
      }
      assert.equal((await request(`${app.url}/dk/throwing-key?v=fine`)).text, 'fine');
    });

    it('refuses keys it cannot trust outside HTTP too: null key results and unserialisable arguments', async () => {
      for (const v of [null, undefined]) {
        const err = await service.nullable(v).catch((e: unknown) => e);
        assert.ok(err instanceof DoubleKillKeyException, String(err));
        assert.equal(err.code, 'DOUBLE_KILL_NULL_KEY');
        assert.equal(err.getStatus(), 400);
        assert.match(err.message, /LockedService\.nullable/);
      }
      assert.equal(await service.nullable('null'), 'null', 'the text "null" is a key');
      const thrown = await service.throwingKey('throw').catch((e: unknown) => e);
      assert.ok(thrown instanceof DoubleKillKeyException);
      assert.equal(thrown.code, 'DOUBLE_KILL_KEY_FAILED');
      assert.match(String((thrown.cause as Error).message), /no key for you/);
      await assert.rejects(
        service.byArgs({ socket: new (class Socket {})() }),
        /cannot form a key .* set the "key" option/,
      );
      assert.equal(await service.byArgs({ plain: [1, 2] }), 'object');
    });
  });
}

describe('@DoubleKill response option', () => {
  it('replaces the 202 answer (status and body)', async () => {
    const app = await startModule(
      DoubleKillTestModule.with({
        doubleKill: { response: { status: 409, body: ({ body }) => ({ ...body, hint: 'later' }) } },
      }),
      'fastify',
    );
    try {
      const [a, b] = await Promise.all([
        request(`${app.url}/dk/first?ms=200`),
        startingAfter(50, () => request(`${app.url}/dk/first?ms=200`)),
      ]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 409);
      assert.equal(b.json<{ hint: string; code: string }>().hint, 'later');
      assert.equal(b.json<{ code: string }>().code, 'DOUBLE_KILLED');
    } finally {
      await app.close();
    }
  });
});

describe('@DoubleKill on Redis', () => {
  let pair: RedisPair;
  let x: RunningApp;
  let y: RunningApp;
  before(async () => {
    pair = await startRedisPair();
    x = await startModule(
      DoubleKillTestModule.with({ store: { redis: pair.redis.url }, secret: TEST_SECRET }),
      'fastify',
    );
    y = await startModule(
      DoubleKillTestModule.with({ store: { redis: pair.redis.url }, secret: TEST_SECRET }),
      'express',
    );
  });
  afterAll(async () => {
    await Promise.all([x.close(), y.close()]);
    await pair.close();
  });

  it('shares the lock between two instances', async () => {
    const s = { headers: { 'user-agent': uniq('shared') } };
    const [a, b] = await Promise.all([
      request(`${pair.a.url}/test/double-kill.json?s=0.5`, s),
      startingAfter(100, () => request(`${pair.b.url}/test/double-kill.json?s=0.5`, s)),
    ]);
    assert.equal(a.status, 200);
    assertKilled(b);
    assert.equal(
      (await request(`${pair.b.url}/test/double-kill.json?s=0`, s)).status,
      200,
      'released for B',
    );
  });

  it('gives the running job key to a caller on the other instance; its record stays bound to the client', async () => {
    const mine = { headers: { 'user-agent': uniq('redis-owner') } };
    const { key } = assertKilled(
      await request(`${pair.a.url}/test/double-kill-async.json?s=0.5`, mine),
    );
    const fromB = assertKilled(
      await request(`${pair.b.url}/test/double-kill-async.json?s=0.5`, mine),
    );
    assert.equal(fromB.key, key);
    assert.equal((await request(`${pair.b.url}/test/progress/${key}`, mine)).status, 200);
    const other = { headers: { 'user-agent': uniq('redis-other') } };
    assert.equal((await request(`${pair.b.url}/test/progress/${key}`, other)).status, 404);
  });

  it('keeps the lock of a call three times longer than its lease (renewal), with increasing fencing tokens', async () => {
    const id = uniq('renew');
    const long = request(`${x.url}/dk/long?id=${id}&ms=900`);
    const probe = await startingAfter(650, () => request(`${y.url}/dk/long?id=${id}&ms=10`));
    assertKilled(probe);
    const first = (await long).json<{ fencing: number; aborted: boolean }>();
    assert.equal(first.aborted, false);
    const second = (await request(`${y.url}/dk/long?id=${id}&ms=10`)).json<{ fencing: number }>();
    assert.ok(second.fencing > first.fencing, `fencing ${first.fencing} -> ${second.fencing}`);
  });

  it('frees the lock of a killed process after its lease', async () => {
    const child = spawn(
      process.execPath,
      [join(__dirname, 'helpers', 'double-kill-app.js'), pair.redis.url, TEST_SECRET],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      const held = request(`${url}/dk/hold?ms=30000`).catch(() => null);
      await sleep(200);
      assertKilled(await request(`${x.url}/dk/hold?ms=10`));
      child.kill('SIGKILL');
      await held;
      const killedAt = Date.now();
      assert.ok(
        await eventually(
          async () => (await request(`${x.url}/dk/hold?ms=10`)).status === 200,
          3000,
        ),
      );
      const waited = Date.now() - killedAt;
      assert.ok(waited < 1500, `free ${waited} ms after the kill (lease 600 ms)`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('never releases a lock that another owner holds', async () => {
    const store = new RedisStore({ redis: pair.redis.url, prefix: 'np', commandTimeout: 500 });
    await store.init();
    try {
      const key = uniq('owner');
      assert.equal((await store.locks.acquire(key, 'A', 150)).acquired, true);
      await sleep(250);
      const b = await store.locks.acquire(key, 'B', 5000);
      assert.equal(b.acquired, true, 'A lease expired');
      assert.equal(await store.locks.release(key, 'A'), false, 'A cannot release B');
      assert.equal(await store.locks.renew(key, 'A', 5000), false, 'nor renew it');
      assert.equal((await store.locks.acquire(key, 'C', 5000)).acquired, false, 'B still holds it');
      assert.equal(await store.locks.release(key, 'B'), true);
    } finally {
      await store.close();
    }
  });

  it('fencing tokens never go back, and a key leaves no counter behind much past its lease', async () => {
    const store = new RedisStore({ redis: pair.redis.url, prefix: 'np', commandTimeout: 500 });
    await store.init();
    const cli = (...args: string[]): string =>
      execFileSync('redis-cli', ['-p', String(pair.redis.port), ...args], {
        encoding: 'utf8',
      }).trim();
    try {
      const key = uniq('fence');
      const tokens: number[] = [];
      for (let i = 0; i < 3; i++) {
        const got = await store.locks.acquire(key, `o${i}`, 1000);
        assert.ok(got.acquired);
        tokens.push(got.fencingToken);
        await store.locks.release(key, `o${i}`);
      }
      assert.ok(tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!, tokens.join(' < '));
      const counters = cli('--scan', '--pattern', `np:lock:*${key}*:fencing`).split('\n');
      assert.equal(counters.length, 1, counters.join(','));
      const ttl = Number(cli('PTTL', counters[0]!));
      assert.ok(ttl > 0 && ttl <= 1000 + 60_000 + 1000, `counter PTTL ${ttl} (was 30 days)`);
      // Its expiry (or an eviction) loses nothing: the next token is still above the last.
      cli('DEL', counters[0]!);
      const after = await store.locks.acquire(key, 'late', 1000);
      assert.ok(
        after.acquired && after.fencingToken > tokens[2]!,
        `${String(after.acquired && after.fencingToken)}`,
      );
    } finally {
      await store.close();
    }
  });

  it('releases the locks this process holds on shutdown (not after the 30 s lease)', async () => {
    const leaving = await startModule(
      DoubleKillTestModule.with({
        store: { redis: pair.redis.url },
        secret: TEST_SECRET,
        overload: { drainTimeout: 100 },
      }),
      'fastify',
    );
    const running = request(`${leaving.url}/dk/first?ms=3000`).catch(() => null);
    await sleep(150);
    assertKilled(await request(`${y.url}/dk/first?ms=10`));
    await leaving.close(); // drains for at most 100 ms, then releases its locks
    const r = await request(`${y.url}/dk/first?ms=10`);
    assert.equal(r.status, 200, 'the lock was released at shutdown');
    await running;
  });

  it('fires the AbortSignal when the lock is lost (renewal fails)', async () => {
    const id = uniq('lost');
    const long = request(`${x.url}/dk/long?id=${id}&ms=900`);
    await sleep(150);
    const raw = new Redis(pair.redis.url);
    try {
      await raw.flushall(); // the lock key is gone: the next renewal finds another owner (none)
    } finally {
      raw.disconnect();
    }
    const body = (await long).json<{ aborted: boolean }>();
    assert.equal(body.aborted, true);
  });

  it('answers 503 STORE_UNAVAILABLE while Redis is down (onStoreError: closed) and recovers', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown): void => void unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      await pair.redis.stop();
      const r = await request(`${x.url}/dk/first?ms=10`);
      assert.equal(r.status, 503);
      assert.equal(r.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
      assert.ok(r.ms < 500);
      await pair.redis.start();
      assert.ok(
        await eventually(async () => (await request(`${x.url}/dk/first?ms=10`)).status === 200),
      );
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
