import { Cluster, Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { TestCluster, waitFor } from './helpers/redis-cluster';
import { TestSentinel } from './helpers/redis-sentinel';

/* Smoke test of the Redis Cluster and Redis Sentinel helpers, through ioredis. */

const NODE_TIMEOUT = 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A plain (non-cluster, non-sentinel) client of one server; no reconnecting. */
function direct(port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

async function withDirect<T>(port: number, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = direct(port);
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe('TestCluster: 3 masters, 1 replica each', () => {
  let cluster: TestCluster;
  let client: Cluster;
  let startMs = 0;
  const keys = Array.from({ length: 100 }, (_, i) => `topology:key:${i}`);

  before(async () => {
    const t0 = Date.now();
    cluster = await TestCluster.start({ nodeTimeout: NODE_TIMEOUT });
    startMs = Date.now() - t0;
    client = new Cluster(cluster.startupNodes, { redisOptions: { connectTimeout: 1000 } });
    client.on('error', () => {});
    client.on('node error', () => {});
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('starts 6 nodes with all slots assigned within a few seconds', async (t) => {
    t.diagnostic(`cluster start-up: ${startMs} ms`);
    assert.ok(startMs < 8000, `start-up took ${startMs} ms`);
    assert.equal(cluster.ports.length, 6);
    assert.equal(cluster.pids.length, 6);
    assert.equal((await cluster.masters()).length, 3);
    assert.deepEqual(
      cluster.urls,
      cluster.ports.map((p) => `redis://127.0.0.1:${p}`),
    );
  });

  it('sets and gets 100 keys spread over the slots of every master', async () => {
    await Promise.all(keys.map((k) => client.set(k, `v:${k}`)));
    const values = await Promise.all(keys.map((k) => client.get(k)));
    assert.deepEqual(
      values,
      keys.map((k) => `v:${k}`),
    );
    const owners = new Set(await Promise.all(keys.map((k) => cluster.masterPortFor(k))));
    assert.deepEqual([...owners].sort(), await cluster.masters());
  });

  it('masterPortFor() names the master that holds the key', async () => {
    const key = keys[0] ?? '';
    const port = await cluster.masterPortFor(key);
    assert.equal(await withDirect(port, (c) => c.get(key)), `v:${key}`);
    const other = (await cluster.masters()).find((p) => p !== port) ?? 0;
    await assert.rejects(
      withDirect(other, (c) => c.get(key)),
      /MOVED/,
    );
  });

  it('promotes a replica when that master is killed; the key stays readable', async (t) => {
    const key = keys[0] ?? '';
    const port = await cluster.masterPortFor(key);
    const t0 = Date.now();
    await cluster.kill(port);
    await cluster.waitHealthy(NODE_TIMEOUT + 5000);
    const healedMs = Date.now() - t0;
    t.diagnostic(`healthy ${healedMs} ms after SIGKILL of master ${port}`);
    const masters = await cluster.masters();
    assert.equal(masters.length, 3);
    assert.ok(!masters.includes(port), `killed ${port} still among masters ${masters.join(',')}`);
    const newPort = await cluster.masterPortFor(key);
    assert.notEqual(newPort, port);
    assert.equal(await client.get(key), `v:${key}`);
    assert.deepEqual(
      await Promise.all(keys.map((k) => client.get(k))),
      keys.map((k) => `v:${k}`),
    );
  });

  it('restart() brings the killed master back as a replica', async (t) => {
    const old = cluster.ports.find((p) => !cluster.livePorts.includes(p)) ?? 0;
    const t0 = Date.now();
    await cluster.restart(old);
    await cluster.waitHealthy(5000);
    t.diagnostic(`healthy ${Date.now() - t0} ms after restart of ${old}`);
    const role = (await withDirect(old, (c) => c.call('ROLE'))) as unknown[];
    assert.equal(role[0], 'slave');
    assert.ok(!(await cluster.masters()).includes(old));
  });

  it('stop() leaves no redis-server alive', async () => {
    const pids = cluster.pids;
    assert.equal(pids.length, 6);
    client.disconnect();
    await cluster.stop();
    assert.deepEqual(pids.filter(alive), [], 'redis-server processes left after stop()');
  });
});

describe('TestSentinel: master, replica, 3 sentinels', () => {
  let setup: TestSentinel;
  let client: Redis;
  let startMs = 0;

  before(async () => {
    const t0 = Date.now();
    setup = await TestSentinel.start();
    startMs = Date.now() - t0;
    client = new Redis({
      sentinels: setup.sentinels,
      name: setup.name,
      // Reconnect on the sentinels' +switch-master, not only when the old master drops us.
      failoverDetector: true,
    });
    client.on('error', () => {});
  });
  afterAll(async () => {
    client?.disconnect();
    await setup?.stop();
  });

  it('starts within a few seconds; ioredis writes to the master through the sentinels', async (t) => {
    t.diagnostic(`sentinel start-up: ${startMs} ms`);
    assert.ok(startMs < 8000, `start-up took ${startMs} ms`);
    assert.equal(setup.sentinels.length, 3);
    assert.equal(await client.set('before', 'written-before-failover'), 'OK');
    assert.equal(await client.wait(1, 2000), 1, 'the replica did not acknowledge the write');
    const master = await setup.masterPort();
    assert.equal(await withDirect(master, (c) => c.get('before')), 'written-before-failover');
  });

  it('failover() switches the master; the same client writes again within seconds', async (t) => {
    const oldPort = await setup.masterPort();
    const t0 = Date.now();
    const newPort = await setup.failover();
    const failoverMs = Date.now() - t0;
    assert.notEqual(newPort, oldPort);
    assert.equal(await setup.masterPort(), newPort);

    const t1 = Date.now();
    await waitFor('a write through the sentinel client after the failover', 5000, async (seen) => {
      try {
        return await client.set('after', 'written-after-failover');
      } catch (err) {
        seen(err instanceof Error ? err.message : String(err));
        return undefined;
      }
    });
    t.diagnostic(
      `failover ${oldPort} -> ${newPort}: ${failoverMs} ms; client wrote again ${Date.now() - t1} ms later`,
    );
    await withDirect(newPort, async (c) => {
      assert.equal(await c.get('before'), 'written-before-failover');
      assert.equal(await c.get('after'), 'written-after-failover');
      assert.equal(((await c.call('ROLE')) as unknown[])[0], 'master');
    });
    const oldRole = (await withDirect(oldPort, (c) => c.call('ROLE'))) as unknown[];
    assert.equal(oldRole[0], 'slave');
    assert.equal(Number(oldRole[2]), newPort);
  });

  it('stop() leaves no redis-server or sentinel alive', async () => {
    const pids = setup.pids;
    assert.equal(pids.length, 5);
    client.disconnect();
    await setup.stop();
    assert.deepEqual(pids.filter(alive), [], 'processes left after stop()');
  });
});
