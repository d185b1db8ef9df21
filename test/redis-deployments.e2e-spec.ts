import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import type { RedisStoreOptions } from 'nest-protection';
import { post, request, sleep, type Reply } from './helpers/http';
import {
  protectedModule,
  startDemo,
  startModule,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';
import { TestCluster } from './helpers/redis-cluster';
import { TestSentinel } from './helpers/redis-sentinel';

/*
 * Every protection across two instances (A: Fastify, B: Express) on a Redis Cluster (3 masters,
 * 3 replicas) and on a master + replica watched by 3 Sentinels, all on loopback; and the boot
 * refusing a single-node client aimed at a Cluster node or a Sentinel.
 */

let seq = 0;
const uniq = (p: string): string => `${p}-${process.pid}-${++seq}`;

function ticketOf(r: Reply): string {
  assert.equal(r.status, 406, r.text);
  const ticket = r.headers.get('client-ticket');
  assert.ok(ticket);
  return ticket;
}

/** The checks each deployment must pass, with A and B sharing `redis`. */
function acrossInstances(name: string, redisOf: () => RedisStoreOptions['redis']): void {
  describe(`Every protection across two instances on ${name}`, () => {
    let a: RunningApp;
    let b: RunningApp;
    before(async () => {
      const redis = redisOf();
      a = await startDemo({ platform: 'fastify', redis, captchaPlaintext: true });
      b = await startDemo({ platform: 'express', redis, captchaPlaintext: true });
    });
    afterAll(() => Promise.all([a?.close(), b?.close()]));

    it("@Debounce: a follower on B is woken with A's response (pub/sub), a non-reuse one gets 208", async () => {
      for (let round = 0; round < 3; round++) {
        const k = uniq('wake');
        const leaderP = post(`${a.url}/test/debounce-slow.json?ms=300&k=${k}`);
        await sleep(60);
        const follower = await post(`${b.url}/test/debounce-slow.json?ms=300&k=${k}`);
        const leader = await leaderP;
        assert.equal(leader.status, 200, leader.text);
        assert.equal(follower.text, leader.text);
        assert.equal(follower.headers.get('x-debounce'), 'reused');
        const lag = follower.at - leader.at;
        assert.ok(lag < 100, `woken ${lag.toFixed(1)} ms after the leader finished`);
      }
      const p = uniq('nore');
      assert.equal((await post(`${a.url}/test/debounce-nore.json?p=${p}`)).status, 200);
      assert.equal((await post(`${b.url}/test/debounce-nore.json?p=${p}`)).status, 208);
    });

    it('@DoubleKill: a call on B meets the lock held on A, then finds it released', async () => {
      const s = { headers: { 'user-agent': uniq('dk') } };
      const holder = request(`${a.url}/test/double-kill.json?s=0.4`, s);
      await sleep(100);
      const refused = await request(`${b.url}/test/double-kill.json?s=0.4`, s);
      assert.equal(refused.status, 202, refused.text);
      assert.equal(refused.json<{ code: string }>().code, 'DOUBLE_KILLED');
      assert.equal((await holder).status, 200);
      assert.equal((await request(`${b.url}/test/double-kill.json?s=0`, s)).status, 200);
    });

    it('@FirstBlood: a ticket and code issued on A are accepted once on B', async () => {
      const ticket = ticketOf(await request(`${a.url}/test/captcha.json`));
      const t = { headers: { 'client-ticket': ticket } };
      const code = (await request(`${a.url}/test/captcha.json?quest-captcha-image=`, t)).text;
      const ok = await request(`${b.url}/test/captcha.json?check-captcha-image=${code}`, t);
      assert.deepEqual([ok.status, ok.text], [200, 'captcha']);
      ticketOf(await request(`${a.url}/test/captcha.json?check-captcha-image=${code}`, t));
    });

    it('@Righter: a token sealed on A opens on B', async () => {
      const edit = await request(`${a.url}/test/righter.json`);
      const token = edit.headers.get('right-editor') ?? '';
      const commit = await post(`${b.url}/test/righter.json`, {
        headers: { 'right-editor': token },
      });
      assert.equal(commit.status, 200, commit.text);
    });

    it('@RateLimit: A and B count in one window', async () => {
      const from = { from: `127.0.${20 + seq}.${(seq % 200) + 1}` };
      const first = await request(`${a.url}/test/rate-limit.json`, from);
      const second = await request(`${b.url}/test/rate-limit.json`, from);
      assert.equal(first.headers.get('ratelimit'), '"demo";r=4;t=10');
      assert.equal(second.headers.get('ratelimit'), '"demo";r=3;t=10');
    });
  });
}

describe('Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start({ nodeTimeout: 1000 });
  });
  afterAll(() => cluster?.stop());

  acrossInstances('a Cluster built by the module', () => ({
    cluster: cluster.startupNodes.slice(0, 2).map((n) => `${n.host}:${n.port}`),
  }));

  it('a single-node URL aimed at a Cluster node stops the boot, naming the option to use', async () => {
    await assert.rejects(
      startModule(
        protectedModule({ secret: TEST_SECRET, store: { redis: cluster.urls[0] ?? '' } }, []),
        'fastify',
      ),
      /store\.redis points at a Redis Cluster node but is a single-node client, so most keys would fail with MOVED\. Use store: \{ redis: \{ cluster: \['host:port', \.\.\.\] \} \}/,
    );
  });
});

describe('Redis Sentinel (master, replica, 3 sentinels)', () => {
  let sentinel: TestSentinel;
  before(async () => {
    sentinel = await TestSentinel.start();
  });
  afterAll(() => sentinel?.stop());

  acrossInstances('Sentinel, given as a redis+sentinel:// URL', () => {
    const hosts = sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `redis+sentinel://${hosts}/${sentinel.name}`;
  });

  it('a single-node URL aimed at a Sentinel stops the boot', async () => {
    const s = sentinel.sentinels[0];
    await assert.rejects(
      startModule(
        protectedModule(
          { secret: TEST_SECRET, store: { redis: `redis://${s?.host}:${s?.port}` } },
          [],
        ),
        'fastify',
      ),
      /store\.redis points at a Sentinel, not at Redis\. Use store: \{ redis: 'redis\+sentinel:\/\/host:port,host:port\/mymaster' \}/,
    );
  });
});
