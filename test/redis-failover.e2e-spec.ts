import { Controller, Get, Injectable, Query } from '@nestjs/common';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after as afterAll, before, describe, it, type TestContext } from 'node:test';
import {
  DoubleKill,
  DoubleKillContext,
  type ProtectionModuleOptions,
  type RedisStoreOptions,
} from 'nest-protection';
import { request, sleep, type Reply } from './helpers/http';
import { protectedModule, startModule, type RunningApp, TEST_SECRET } from './helpers/platforms';
import { TestCluster } from './helpers/redis-cluster';
import { TestSentinel } from './helpers/redis-sentinel';

/*
 * Failovers under a bounded stream of @DoubleKill calls from two instances (A: Fastify, B:
 * Express): a Cluster master killed (SIGKILL), and a graceful Sentinel failover. Measured: the
 * window in which calls fail (503 by onStoreError), calls of one key running at once (double
 * runs), locks left held with nothing running a second after recovery, and locks lost in the
 * failover whose holders were not told through their AbortSignal.
 */

const NODE_TIMEOUT = 1000;
const LEASE = 600;

/** Calls of each key running now, over both instances (one process). */
const running = new Map<string, number>();
const stats = { doubles: 0, runs: 0 };

@Injectable()
class Jobs {
  @DoubleKill({ key: (id: string) => id, lease: LEASE })
  async run(id: string, ms: number): Promise<{ aborted: boolean }> {
    // A probe (0 ms) only asks whether it can take the lock: it is not a run of the job.
    if (ms === 0) return { aborted: false };
    const now = (running.get(id) ?? 0) + 1;
    running.set(id, now);
    stats.runs++;
    if (now > 1) stats.doubles++;
    try {
      await sleep(ms);
      return { aborted: DoubleKillContext.signal()?.aborted ?? false };
    } finally {
      running.set(id, (running.get(id) ?? 1) - 1);
    }
  }
}

@Controller('f')
class JobController {
  constructor(private readonly jobs: Jobs) {}

  @Get('job')
  job(@Query('id') id: string, @Query('ms') ms: string): Promise<{ aborted: boolean }> {
    return this.jobs.run(id, Number(ms));
  }
}

interface Outcome {
  at: number;
  status: number;
  code: string;
}

/** Live lock keys (not fencing counters) on the given master ports. */
async function lockKeys(ports: number[]): Promise<number> {
  let n = 0;
  for (const port of ports) {
    const node = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    node.on('error', () => undefined);
    const keys = await node.keys('np:lock:*').catch(() => [] as string[]);
    node.disconnect();
    n += keys.filter((k) => !k.endsWith(':fencing')).length;
  }
  return n;
}

async function failoverUnderLoad(
  t: TestContext,
  apps: () => [RunningApp, RunningApp],
  masters: () => Promise<number[]>,
  fail: () => Promise<void>,
  recovered: () => Promise<void>,
): Promise<void> {
  stats.doubles = stats.runs = 0;
  const [a, b] = apps();
  const start = Date.now();
  const outcomes: Outcome[] = [];
  const calls: Array<Promise<void>> = [];
  const call = (app: RunningApp, id: string, ms: number): Promise<Reply> =>
    request(`${app.url}/f/job?id=${id}&ms=${ms}`);
  // Long calls holding locks across the failover: each lost lock must reach its holder.
  const long = Array.from({ length: 6 }, (_, i) => call(i % 2 ? a : b, `long-${i}`, 7000));
  // The stream: a call every 20 ms for 6 s over 16 keys, alternating instances.
  const stream = (async () => {
    for (let i = 0; Date.now() - start < 6000; i++) {
      calls.push(
        call(i % 2 ? a : b, `k${i % 16}`, 60).then(
          (r) =>
            void outcomes.push({
              at: Date.now() - start,
              status: r.status,
              code: r.status === 200 ? '' : r.json<{ code: string }>().code,
            }),
        ),
      );
      await sleep(20);
    }
  })();
  await sleep(1500);
  const failedAt = Date.now() - start;
  await fail();
  await recovered();
  const recoveredAt = Date.now() - start;
  // A lock of a long call lost in the failover: a probe on the other instance takes it.
  await sleep(100);
  const probes = await Promise.all(
    Array.from({ length: 6 }, (_, i) => call(i % 2 ? b : a, `long-${i}`, 0)),
  );
  // Lost: the call held its lock (it ran) and a probe could take the key afterwards.
  const lostOf = (replies: Reply[]): number =>
    probes.filter((p, i) => p.status === 200 && replies[i]?.status === 200).length;
  await stream;
  await Promise.all(calls);
  const longReplies = await Promise.all(long);
  const lost = lostOf(longReplies);
  const aborted = longReplies.filter(
    (r) => r.status === 200 && r.json<{ aborted: boolean }>().aborted,
  ).length;
  await sleep(1000);
  const leftHeld = await lockKeys(await masters());

  const failures = outcomes.filter((o) => o.status !== 200 && o.code !== 'DOUBLE_KILLED');
  const window = failures.length ? Math.max(...failures.map((f) => f.at)) - failedAt : 0;
  const tally: Record<string, number> = {};
  for (const o of outcomes)
    tally[`${o.status} ${o.code}`] = (tally[`${o.status} ${o.code}`] ?? 0) + 1;
  t.diagnostic(
    `long: ${longReplies.map((r, i) => `${r.status} ${r.text} probe ${probes[i]?.status}`).join('; ')}`,
  );
  t.diagnostic(
    `failure at ${failedAt} ms, healthy at ${recoveredAt} ms; ${outcomes.length} calls ${JSON.stringify(tally)}; failing window ${window} ms; double runs ${stats.doubles} of ${stats.runs}; long locks lost ${lost}, signalled ${aborted}; locks held 1 s after the end: ${leftHeld}`,
  );
  assert.ok(
    failures.every((f) => f.status === 503 && f.code === 'STORE_UNAVAILABLE'),
    `only 503 STORE_UNAVAILABLE while failing: ${JSON.stringify(tally)}`,
  );
  assert.ok(window <= NODE_TIMEOUT + 2000, `failing window ${window} ms`);
  assert.equal(stats.doubles, 0, 'no key ran twice at once');
  assert.equal(leftHeld, 0, 'no lock held with nothing running');
  assert.ok(
    longReplies.every((r) => r.status === 200 || r.status === 503),
    longReplies.map((r) => r.status).join(' '),
  );
  assert.ok(aborted >= lost, `${lost} long locks lost, ${aborted} holders signalled`);
}

function startPair(redis: RedisStoreOptions['redis']): Promise<[RunningApp, RunningApp]> {
  const options: ProtectionModuleOptions = {
    secret: TEST_SECRET,
    store: { redis },
    overload: false,
  };
  return Promise.all([
    startModule(protectedModule(options, [JobController], [Jobs]), 'fastify'),
    startModule(protectedModule(options, [JobController], [Jobs]), 'express'),
  ]);
}

describe('A Cluster master killed under a stream of @DoubleKill calls', () => {
  let cluster: TestCluster;
  let apps: [RunningApp, RunningApp];
  before(async () => {
    cluster = await TestCluster.start({ nodeTimeout: NODE_TIMEOUT });
    apps = await startPair({ cluster: cluster.startupNodes.map((n) => `${n.host}:${n.port}`) });
  });
  afterAll(async () => {
    await Promise.all(apps?.map((a) => a.close()) ?? []);
    await cluster?.stop();
  });

  it('fails only while no master serves the slot, runs no key twice, leaves no lock held, signals lost locks', async (t) => {
    await failoverUnderLoad(
      t,
      () => apps,
      () => cluster.masters(),
      async () => cluster.kill((await cluster.masters())[0] ?? 0),
      () => cluster.waitHealthy(NODE_TIMEOUT + 5000),
    );
  });
});

describe('A graceful Sentinel failover under a stream of @DoubleKill calls', () => {
  let sentinel: TestSentinel;
  let apps: [RunningApp, RunningApp];
  before(async () => {
    sentinel = await TestSentinel.start();
    apps = await startPair({ sentinels: sentinel.sentinels, name: sentinel.name });
  });
  afterAll(async () => {
    await Promise.all(apps?.map((a) => a.close()) ?? []);
    await sentinel?.stop();
  });

  it('fails only during the switch, runs no key twice, leaves no lock held, signals lost locks', async (t) => {
    await failoverUnderLoad(
      t,
      () => apps,
      async () => [await sentinel.masterPort()],
      async () => void (await sentinel.failover()),
      async () => undefined,
    );
  });
});
