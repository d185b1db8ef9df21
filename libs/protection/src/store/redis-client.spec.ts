import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { chooseClient, isCluster, lateCommandRisk, sentinelUrlOptions } from './redis-client';

const settings = { prefix: 'np', commandTimeout: 300 };

describe('Redis clients for the store', () => {
  it('reads a Sentinel URL: sentinels, master group, credentials, db, TLS', () => {
    assert.deepEqual(sentinelUrlOptions('redis+sentinel://10.0.0.1:26379,10.0.0.2/mymaster'), {
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'mymaster',
    });
    assert.deepEqual(sentinelUrlOptions('rediss+sentinel://u:p%40ss@h:1/group/2'), {
      sentinels: [{ host: 'h', port: 1 }],
      name: 'group',
      username: 'u',
      password: 'p@ss',
      db: 2,
      tls: {},
      enableTLSForSentinelMode: true,
    });
    assert.throws(
      () => sentinelUrlOptions('redis+sentinel://h:1'),
      /expected redis\+sentinel:\/\/host:port,host:port\/mymaster\[\/db\]/,
    );
  });

  it('creates fail-fast clients: no offline queue, no resend, the timeout on every node', () => {
    const single = chooseClient({ ...settings, redis: 'redis://127.0.0.1:1' });
    assert.equal(single.owned, true);
    assert.ok(single.client instanceof Redis);
    assert.equal(lateCommandRisk(single.client), null);
    assert.equal(single.client.options.commandTimeout, 300);

    const sentinel = chooseClient({
      ...settings,
      redis: 'redis+sentinel://127.0.0.1:1/mymaster',
    }).client as Redis;
    assert.equal(sentinel.options.name, 'mymaster');
    assert.equal(sentinel.options.failoverDetector, true);
    assert.equal(lateCommandRisk(sentinel), null);
    assert.equal(
      sentinel.options.reconnectOnError?.(
        new Error('READONLY You can not write against a replica'),
      ),
      1,
      'a demoted master makes it reconnect (Sentinel names the new one), without resending',
    );

    const cluster = chooseClient({
      ...settings,
      redis: { cluster: ['127.0.0.1:1'], clusterOptions: { redisOptions: { password: 'x' } } },
    }).client;
    assert.ok(isCluster(cluster) && cluster instanceof Cluster);
    assert.equal(lateCommandRisk(cluster), null);
    assert.equal(cluster.options.redisOptions?.commandTimeout, 300);
    assert.equal(cluster.options.redisOptions?.password, 'x', "the user's node options are kept");
    for (const c of [single.client, sentinel, cluster]) c.disconnect();
  });

  it("uses a user's client as is, and says which options let a command run late", () => {
    const mine = new Redis({ lazyConnect: true });
    const choice = chooseClient({ ...settings, redis: mine });
    assert.equal(choice.owned, false);
    assert.equal(choice.client, mine);
    assert.match(
      lateCommandRisk(mine) ?? '',
      /enableOfflineQueue is not false, maxRetriesPerRequest is 20; create it with \{ enableOfflineQueue: false, maxRetriesPerRequest: 0 \}/,
    );
    const theirs = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    assert.match(
      lateCommandRisk(theirs) ?? '',
      /retryDelayOnFailover is 100, retryDelayOnClusterDown is 100, redisOptions.maxRetriesPerRequest is 20/,
    );
    mine.disconnect();
    theirs.disconnect();
  });
});
