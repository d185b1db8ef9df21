import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it, type TestContext } from 'node:test';
import type { RedisStoreOptions } from 'nest-protection';
import { RedisStore } from 'nest-protection/redis';
import { post, sleep, type Reply } from './helpers/http';
import { startDemo, type RunningApp } from './helpers/platforms';
import { AdminClients, TestCluster, waitFor } from './helpers/redis-cluster';
import { TestRedis } from './helpers/redis-server';

/*
 * Debounce followers woken across instances (leader on A: Fastify, followers on B: Express).
 * On a Redis Cluster (Redis >= 7) over sharded pub/sub: one channel per key, subscribed on the
 * key's master only while followers wait, and again after that master fails over. On a single
 * node over the classic fixed channel. Printed: the wake-up lag over HTTP (a follower's answer
 * minus the leader's), the same at the port level without HTTP (sharded against classic PUBLISH
 * on one Cluster), and the time from a master's death to the first wake-up on its slot.
 */

const LEADER_MS = 300;
/** The fixture's window (`waiting: 600`): a key is free again this long after its leader came. */
const WINDOW_MS = 600;
const WAKE = 'np:debounce:wake';

let seq = 0;
const uniq = (p: string): string => `${p}-${process.pid}-${++seq}`;

interface Round {
  leader: Reply;
  followers: Reply[];
  /** Follower answer time minus the leader's, in ms. */
  lags: number[];
}

/**
 * A leader on A taking LEADER_MS and `followers` followers on B sent 60 ms later;
 * `whileWaiting` runs as soon as they are sent.
 */
async function round(
  a: RunningApp,
  b: RunningApp,
  k: string,
  followers: number,
  whileWaiting?: () => Promise<void>,
): Promise<Round> {
  const path = `/test/debounce-slow.json?ms=${LEADER_MS}&k=${k}`;
  const leaderP = post(a.url + path);
  await sleep(60);
  const followersP = Promise.all(Array.from({ length: followers }, () => post(b.url + path)));
  let checked: unknown = null;
  if (whileWaiting) await whileWaiting().catch((err: unknown) => (checked = err));
  const [leader, replies] = await Promise.all([leaderP, followersP]);
  if (checked) {
    const got = replies.map((f) => `${f.status} ${f.headers.get('x-debounce')} ${f.text}`);
    throw new Error(`${String(checked)}; leader ${leader.text}, followers: ${got.join(', ')}`);
  }
  return { leader, followers: replies, lags: replies.map((r) => r.at - leader.at) };
}

/** Every follower got the leader's own response, reused. */
function allWoken(r: Round): boolean {
  return (
    r.leader.status === 200 &&
    r.followers.every((f) => f.text === r.leader.text && f.headers.get('x-debounce') === 'reused')
  );
}

/** A probe round in a word: woken, unprotected (store errors: each ran itself), 208s, or a mix. */
function outcome(r: Round): string {
  if (allWoken(r)) return 'woken';
  const kinds = new Set(
    r.followers.map((f) =>
      f.status === 208 ? '208' : f.headers.get('x-debounce') === 'reused' ? 'reused' : 'ran',
    ),
  );
  return [...kinds].sort().join('+');
}

/**
 * Waits until the previous round's key (same `k`) has expired: its leader claimed it at least a
 * leader's run before that round ended.
 */
function freeKey(roundEnd: number): Promise<void> {
  return sleep(Math.max(0, roundEnd + WINDOW_MS - LEADER_MS + 100 - performance.now()));
}

/**
 * Rounds not counted, until one wakes all its followers: this client's first sockets to B, the
 * apps' first commands and connections (each new key may land on another master).
 */
async function warmUp(a: RunningApp, b: RunningApp): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await round(a, b, uniq('warm'), 20);
    seen.push(outcome(r));
    if (allWoken(r) && i >= 2) return;
  }
  throw new Error(`no warm-up round woke its followers: ${seen.join(' ')}`);
}

function assertWoken(r: Round): void {
  assert.equal(r.leader.status, 200, r.leader.text);
  for (const f of r.followers) {
    assert.equal(f.status, 200, f.text);
    assert.equal(f.text, r.leader.text);
    assert.equal(f.headers.get('x-debounce'), 'reused');
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Median and p95 of the lags; asserts the median is small next to the leader's duration. */
function reportLags(t: TestContext, label: string, rounds: Round[]): void {
  const lags = rounds.flatMap((r) => r.lags).sort((x, y) => x - y);
  const leaderMs = Math.min(...rounds.map((r) => r.leader.ms));
  const median = quantile(lags, 0.5);
  const perRound = rounds.map((r) => {
    const s = [...r.lags].sort((x, y) => x - y);
    return `${quantile(s, 0.5).toFixed(1)}/${(s.at(-1) ?? NaN).toFixed(1)}`;
  });
  const line = `${label}: ${lags.length} followers, wake-up lag median ${median.toFixed(2)} ms, p95 ${quantile(lags, 0.95).toFixed(2)} ms, max ${(lags.at(-1) ?? NaN).toFixed(2)} ms (leader ${leaderMs.toFixed(0)} ms; per round median/max ${perRound.join(', ')})`;
  console.log(line);
  t.diagnostic(line);
  // Not woken, a follower would wait out the window: about a leader's duration late.
  assert.ok(median < leaderMs / 4, line);
}

/** `PUBSUB SHARDCHANNELS` of the wake channels on `ports`, with their SHARDNUMSUB counts. */
async function shardChannels(admin: AdminClients, ports: number[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const port of ports) {
    const names = (await admin.call(port, 'PUBSUB', 'SHARDCHANNELS', `${WAKE}:*`)) as string[];
    for (const name of names) {
      const [, n] = (await admin.call(port, 'PUBSUB', 'SHARDNUMSUB', name)) as [string, number];
      found.set(name, (found.get(name) ?? 0) + Number(n));
    }
  }
  return found;
}

/** The wake channels once B's followers have subscribed one (polled until the leader is done). */
function subscribed(admin: AdminClients, ports: number[]): Promise<Map<string, number>> {
  return waitFor(
    'a sharded wake channel subscribed',
    LEADER_MS - 60,
    async (seen) => {
      const found = await shardChannels(admin, ports);
      seen(JSON.stringify([...found]));
      return found.size > 0 ? found : undefined;
    },
    5,
  );
}

/** Sharded subscriptions (CLIENT LIST `ssub=`) of all clients of `ports`. */
async function ssubTotal(admin: AdminClients, ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const list = await admin.text(port, 'CLIENT', 'LIST');
    for (const m of list.matchAll(/ ssub=(\d+)/g)) total += Number(m[1]);
  }
  return total;
}

async function classicSubscribers(admin: AdminClients, ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const [, n] = (await admin.call(port, 'PUBSUB', 'NUMSUB', WAKE)) as [string, number];
    total += Number(n);
  }
  return total;
}

describe('Debounce wake-ups on a Redis Cluster (3 masters, 3 replicas): sharded pub/sub', () => {
  let cluster: TestCluster;
  let a: RunningApp;
  let b: RunningApp;
  const admin = new AdminClients();
  before(async () => {
    cluster = await TestCluster.start({ nodeTimeout: 2000 });
    const redis: RedisStoreOptions['redis'] = {
      cluster: cluster.startupNodes.map((n) => `${n.host}:${n.port}`),
    };
    a = await startDemo({ platform: 'fastify', redis, logger: false });
    b = await startDemo({ platform: 'express', redis, logger: false });
    await warmUp(a, b);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    admin.closeAll();
    await cluster?.stop();
  });

  it("20 followers on B get A's response, over a per-key sharded channel released afterwards", async (t) => {
    const rounds: Round[] = [];
    for (let i = 0; i < 3; i++) {
      let during = new Map<string, number>();
      let ssubs = 0;
      const r = await round(a, b, uniq('shard'), 20, async () => {
        const masters = await cluster.masters();
        during = await subscribed(admin, masters);
        ssubs = await ssubTotal(admin, masters);
      });
      assertWoken(r);
      // One subscription for B's 20 followers, on the channel of their key; A waits on nothing.
      assert.equal(during.size, 1, JSON.stringify([...during]));
      const [[channel, subscribers] = ['', 0]] = [...during];
      assert.match(channel, /^np:debounce:wake:\{\/test\/debounce-slow\.json\|[\w-]{43}\}$/);
      assert.equal(subscribers, 1);
      assert.equal(ssubs, 1);
      rounds.push(r);
    }
    reportLags(t, 'Cluster, sharded (SPUBLISH)', rounds);
    await waitFor('sharded subscriptions released', 2000, async (seen) => {
      const masters = await cluster.masters();
      const left = (await shardChannels(admin, masters)).size + (await ssubTotal(admin, masters));
      seen(`${left} left`);
      return left === 0 ? true : undefined;
    });
    // Sharded wake-ups need no subscription of the fixed classic channel.
    assert.equal(await classicSubscribers(admin, cluster.livePorts), 0);
  });

  it('Redis-level wake-up lag (ports, no HTTP): sharded, and classic PUBLISH on the same Cluster', async (t) => {
    const redis = { cluster: cluster.startupNodes.map((n) => `${n.host}:${n.port}`) };
    const stores: RedisStore[] = [];
    const open = async (prefix: string, classic: boolean): Promise<RedisStore> => {
      const store = new RedisStore({ redis, prefix, commandTimeout: 500 });
      stores.push(store);
      // As if the Cluster ran Redis 6: the first version learnt decides.
      if (classic) store.connection.wakeups.learn('6.2.0');
      await store.init();
      return store;
    };
    try {
      for (const classic of [false, true]) {
        const prefix = classic ? 'npclassic' : 'npsharded';
        const [leader, waiter] = [await open(prefix, classic), await open(prefix, classic)];
        assert.equal(waiter.connection.wakeups.isSharded, !classic);
        /** One wake-up: the time from settle() to the woken waiter, or null if not woken. */
        const wake = async (): Promise<number | null> => {
          const key = uniq('port');
          const token = uniq('t');
          assert.equal((await leader.debounce.claim(key, token, 2000, false)).role, 'leader');
          assert.equal((await waiter.debounce.claim(key, 'f', 2000, true)).role, 'follower');
          const woken = waiter.debounce
            .await(key, token, 1000)
            .then((o) => (o?.kind === 'response' ? performance.now() : null));
          // Parked on pub/sub (subscribed, state read) before the leader settles.
          await sleep(15);
          const settled = performance.now();
          await leader.debounce.settle(key, token, {
            kind: 'response',
            response: { status: 200, headers: {}, body: Buffer.from('x') },
          });
          const at = await woken;
          return at === null ? null : at - settled;
        };
        // The classic channel is subscribed in the background after init().
        await waitFor('a first wake-up', 5000, async () => (await wake()) ?? undefined, 0);
        const lags: number[] = [];
        for (let i = 0; i < 200; i++) {
          const lag = await wake();
          assert.ok(lag !== null, `wake-up ${i} missed`);
          lags.push(lag);
        }
        lags.sort((x, y) => x - y);
        const line = `${classic ? 'Cluster, classic PUBLISH' : 'Cluster, sharded SPUBLISH'} (ports): ${lags.length} wake-ups, lag from settle() to the woken waiter median ${quantile(lags, 0.5).toFixed(2)} ms, p95 ${quantile(lags, 0.95).toFixed(2)} ms, p99 ${quantile(lags, 0.99).toFixed(2)} ms`;
        console.log(line);
        t.diagnostic(line);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("wake-ups work again once the master of the key's slot has failed over", async (t) => {
    const k = uniq('failover');
    let channel = '';
    const first = await round(a, b, k, 5, async () => {
      channel = [...(await subscribed(admin, await cluster.masters())).keys()][0] ?? '';
    });
    assertWoken(first);
    assert.ok(channel, 'the key has a sharded channel while followers wait');
    const master = await cluster.masterPortFor(channel);
    let lastEnd = performance.now();

    await freeKey(lastEnd);
    const killedAt = performance.now();
    await cluster.kill(master);
    let healthyAt = NaN;
    const healthy = cluster.waitHealthy(20_000).then(() => (healthyAt = performance.now()));
    // Probe with the same key (so the same slot) until a round wakes every follower.
    const probes: string[] = [];
    let wokenAt = NaN;
    const deadline = killedAt + 25_000;
    while (performance.now() < deadline) {
      await freeKey(lastEnd);
      const r = await round(a, b, k, 5);
      lastEnd = performance.now();
      probes.push(`${(lastEnd - killedAt).toFixed(0)}:${outcome(r)}`);
      if (allWoken(r)) {
        wokenAt = Math.max(...r.followers.map((f) => f.at));
        break;
      }
    }
    await healthy;
    const line = `Cluster failover: master ${master} killed; cluster healthy after ${(healthyAt - killedAt).toFixed(0)} ms; first wake-up across instances ${(wokenAt - killedAt).toFixed(0)} ms after the kill (probe rounds, ms after the kill: ${probes.join(' ')})`;
    console.log(line);
    t.diagnostic(line);
    assert.ok(Number.isFinite(wokenAt), line);
    assert.notEqual(await cluster.masterPortFor(channel), master);

    const rounds: Round[] = [];
    for (let i = 0; i < 2; i++) {
      await freeKey(lastEnd);
      let subscribers = 0;
      const r = await round(a, b, k, 20, async () => {
        subscribers = (await subscribed(admin, await cluster.masters())).get(channel) ?? 0;
      });
      lastEnd = performance.now();
      assertWoken(r);
      assert.equal(subscribers, 1, 'subscribed on the promoted master');
      rounds.push(r);
    }
    reportLags(t, 'Cluster after failover, sharded', rounds);
    await waitFor('sharded subscriptions released', 2000, async (seen) => {
      const masters = await cluster.masters();
      const left = (await shardChannels(admin, masters)).size + (await ssubTotal(admin, masters));
      seen(`${left} left`);
      return left === 0 ? true : undefined;
    });
  });
});

describe('Debounce wake-ups on a single Redis node: classic pub/sub', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  const admin = new AdminClients();
  before(async () => {
    redis = await TestRedis.start();
    a = await startDemo({ platform: 'fastify', redisUrl: redis.url, logger: false });
    b = await startDemo({ platform: 'express', redisUrl: redis.url, logger: false });
    await warmUp(a, b);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    admin.closeAll();
    await redis?.stop();
  });

  it("20 followers on B get A's response over the fixed channel, no sharded subscription", async (t) => {
    const rounds: Round[] = [];
    for (let i = 0; i < 3; i++) {
      let sharded = -1;
      const r = await round(a, b, uniq('classic'), 20, async () => {
        await sleep(150);
        sharded = (await shardChannels(admin, [redis.port])).size;
      });
      assertWoken(r);
      assert.equal(sharded, 0);
      rounds.push(r);
    }
    reportLags(t, 'single node, classic (PUBLISH)', rounds);
    // Both instances listen on the one fixed channel.
    assert.equal(await classicSubscribers(admin, [redis.port]), 2);
  });
});
