import { Controller, Get, Injectable, Query } from '@nestjs/common';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after as afterAll, before, describe, it } from 'node:test';
import { DoubleKill, RateLimit, type ProtectionModuleOptions } from 'nest-protection';
import type { ProtectionRequest } from 'nest-protection';
import { request, sleep } from './helpers/http';
import { protectedModule, startModule, type RunningApp, TEST_SECRET } from './helpers/platforms';
import { redisCli, TestCluster } from './helpers/redis-cluster';

/*
 * Slots move between masters while two instances serve a bounded stream of requests whose keys
 * spread over every slot (rate limits and locks, so scripts with one and several keys), and
 * every node's script cache is flushed: a command sent to the old owner is redirected (MOVED or
 * ASK) or reloaded (NOSCRIPT) by the client, so no request may fail.
 */

@Injectable()
class Jobs {
  @DoubleKill({ key: (id: string) => id, lease: 5000 })
  async run(id: string): Promise<string> {
    await sleep(2);
    return id;
  }
}

const byQueryKey = (req: ProtectionRequest): string =>
  String((req as { query?: Record<string, unknown> }).query?.k ?? '');

@Controller('r')
class ReshardController {
  constructor(private readonly jobs: Jobs) {}

  @Get('limited')
  @RateLimit({ limit: 1_000_000, window: 60_000, key: byQueryKey, name: 'wide' })
  @RateLimit({ limit: 1_000_000, window: 1_000, key: byQueryKey, name: 'short' })
  limited(): string {
    return 'ok';
  }

  @Get('locked')
  locked(@Query('k') k: string): Promise<string> {
    return this.jobs.run(k);
  }
}

async function nodeId(port: number): Promise<string> {
  const node = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  try {
    return String(await node.call('CLUSTER', 'MYID'));
  } finally {
    node.disconnect();
  }
}

describe('Resharding a Cluster under load', () => {
  let cluster: TestCluster;
  let apps: RunningApp[];
  before(async () => {
    cluster = await TestCluster.start();
    const options: ProtectionModuleOptions = {
      secret: TEST_SECRET,
      store: { redis: { cluster: cluster.startupNodes.map((n) => `${n.host}:${n.port}`) } },
      overload: false,
      rateLimit: { onStoreError: 'closed' },
      doubleKill: { onStoreError: 'closed' },
    };
    apps = await Promise.all(
      (['fastify', 'express'] as const).map((platform) =>
        startModule(protectedModule(options, [ReshardController], [Jobs]), platform),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(apps?.map((a) => a.close()) ?? []);
    await cluster?.stop();
  });

  it('answers every request while 2,000 slots move and the script caches are flushed', async (t) => {
    const [from, to] = await cluster.masters();
    assert.ok(from && to, 'two masters');
    const statuses: Record<string, number> = {};
    let busy = true;
    // 24 clients in a loop, keys over 2,000 names (every master's slots), alternating routes
    // and instances, until the slots have moved.
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; busy; i++) {
        const app = apps[(w + i) % 2] as RunningApp;
        const route = i % 3 === 0 ? 'locked' : 'limited';
        const reply = await request(`${app.url}/r/${route}?k=key-${(w * 7919 + i) % 2000}`);
        const code = reply.status === 200 ? '' : ` ${reply.json<{ code?: string }>().code ?? ''}`;
        const key = `${route} ${reply.status}${code}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    };
    const load = Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    await sleep(300);
    const started = Date.now();
    await redisCli(
      [
        '--cluster',
        'reshard',
        `127.0.0.1:${from}`,
        '--cluster-from',
        await nodeId(from),
        '--cluster-to',
        await nodeId(to),
        '--cluster-slots',
        '2000',
        '--cluster-pipeline',
        '100',
        '--cluster-yes',
      ],
      120_000,
    );
    const movedIn = Date.now() - started;
    for (const port of await cluster.masters()) {
      const node = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
      await node.script('FLUSH');
      node.disconnect();
    }
    await sleep(300);
    busy = false;
    await load;
    t.diagnostic(`2,000 slots moved in ${movedIn} ms; answers ${JSON.stringify(statuses)}`);
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    assert.ok(total > 200, `a real stream (${total} requests)`);
    // A lock asked for while its key's holder still runs answers 409: contention, not failure.
    const failed = Object.entries(statuses).filter(
      ([k]) => !k.endsWith(' 200') && k !== 'locked 409 DOUBLE_KILLED',
    );
    assert.deepEqual(failed, [], `no request failed: ${JSON.stringify(statuses)}`);
  });
});
