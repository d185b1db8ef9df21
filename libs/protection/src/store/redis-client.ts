import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisClusterNode, RedisStoreSettings } from './redis-options';

/** A client the store talks to: one node (maybe found through Sentinel) or a Cluster. */
export type StoreClient = Redis | Cluster;

/** How the store reaches Redis, and whether it owns (creates and closes) the client. */
export interface ClientChoice {
  readonly client: StoreClient;
  readonly owned: boolean;
}

/** The node answered READONLY: it is a replica now (a failover happened). */
const READONLY = /^READONLY\b/;

/**
 * Options of every node connection we create: fail fast instead of queueing or retrying while
 * Redis is down, so a command that timed out is never sent again behind the caller's back.
 */
function failFast(commandTimeout: number): RedisOptions {
  return {
    commandTimeout,
    // No auto-pipelining: measured, batching 16 commands a write saved no CPU at 50 concurrent
    // requests, and a batch of one (low concurrency) doubled the client's cost per command.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    // A node that became a replica answers READONLY: reconnect (through Sentinel: to the new
    // master) without resending the command.
    reconnectOnError: (err: Error) => (READONLY.test(err.message) ? 1 : false),
  };
}

function clusterFailFast(commandTimeout: number): ClusterOptions {
  const node = failFast(commandTimeout);
  delete node.enableOfflineQueue;
  delete node.retryStrategy;
  delete node.lazyConnect;
  return {
    lazyConnect: true,
    // Never auto-pipelining on a Cluster either: a batch that meets MOVED for some of its
    // commands (slots moving) fails them all instead of following the redirection.
    enableAutoPipelining: false,
    enableOfflineQueue: false,
    // 0 turns ioredis's delayed resends off: a command that met a dead node or CLUSTERDOWN fails
    // now (the protection follows onStoreError) instead of running seconds later.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
    slotsRefreshTimeout: 2000,
    redisOptions: node,
  };
}

/**
 * A Cluster opens its node connections lazily, and with no offline queue it refuses commands
 * for a node that is still connecting ("Connection is closed"): right after boot, most of the
 * first commands would fail. So every node it adds is connected at once.
 */
function connectNodesEagerly(cluster: Cluster): void {
  cluster.on('+node', (node: Redis) => {
    if (node.status === 'wait') node.connect().catch(() => undefined);
  });
}

export function isCluster(client: unknown): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: unknown })?.isCluster === true;
}

function isClient(value: unknown): value is StoreClient {
  if (value instanceof Redis || value instanceof Cluster) return true;
  const v = value as Redis | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.defineCommand === 'function' &&
    typeof v.duplicate === 'function'
  );
}

/** `redis+sentinel://[user:password@]host:port,host:port/name[/db]` as ioredis options. */
export function sentinelUrlOptions(url: string): RedisOptions {
  const m =
    /^redis(s?)\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/?]+)(?:\/(\d+))?\/?$/.exec(
      url,
    );
  if (!m) {
    throw new Error(
      `store.redis: ${JSON.stringify(url)} is not a Sentinel URL; expected redis+sentinel://host:port,host:port/mymaster[/db]`,
    );
  }
  const [, tls, username, password, hosts = '', name = '', db] = m;
  const sentinels = hosts.split(',').map((h) => {
    const at = h.lastIndexOf(':');
    return at > 0
      ? { host: h.slice(0, at), port: Number(h.slice(at + 1)) }
      : { host: h, port: 26379 };
  });
  return {
    sentinels,
    name: decodeURIComponent(name),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

function clusterNodes(nodes: readonly RedisClusterNode[]): Array<{ host: string; port: number }> {
  return nodes.map((n) => {
    if (typeof n !== 'string') return { host: n.host, port: n.port };
    const at = n.lastIndexOf(':');
    return { host: n.slice(0, at), port: Number(n.slice(at + 1)) };
  });
}

/** The client for `settings.redis`: the user's own, or one we create with fail-fast options. */
export function chooseClient(settings: RedisStoreSettings): ClientChoice {
  const { redis, commandTimeout } = settings;
  if (isClient(redis)) return { client: redis, owned: false };
  if (typeof redis === 'string') {
    const client = redis.includes('+sentinel://')
      ? new Redis({
          ...failFast(commandTimeout),
          failoverDetector: true,
          ...sentinelUrlOptions(redis),
        })
      : new Redis(redis, failFast(commandTimeout));
    return { client, owned: true };
  }
  if ('cluster' in redis) {
    const { cluster, clusterOptions = {} } = redis;
    const defaults = clusterFailFast(commandTimeout);
    const options = {
      ...defaults,
      ...clusterOptions,
      redisOptions: { ...defaults.redisOptions, ...clusterOptions.redisOptions, commandTimeout },
    } as ClusterOptions;
    const client = new Cluster(clusterNodes(cluster), options);
    connectNodesEagerly(client);
    return { client, owned: true };
  }
  const options = redis as RedisOptions;
  const sentinel = options.sentinels !== undefined ? { failoverDetector: true } : {};
  return {
    client: new Redis({ ...failFast(commandTimeout), ...sentinel, ...options }),
    owned: true,
  };
}

/** The command timeout a client applies on its own (a Cluster keeps it per node). */
export function ownTimeout(client: StoreClient): number | undefined {
  return isCluster(client)
    ? client.options.redisOptions?.commandTimeout
    : client.options.commandTimeout;
}

/**
 * Why a client of the user's may run a command after the store gave up on it (queued while
 * disconnected, or resent after a reconnect); null when it fails fast.
 */
export function lateCommandRisk(client: StoreClient): string | null {
  const found: string[] = [];
  if (isCluster(client)) {
    const o = client.options;
    if (o.enableOfflineQueue !== false) found.push('enableOfflineQueue is not false');
    if ((o.retryDelayOnFailover ?? 100) > 0)
      found.push(`retryDelayOnFailover is ${o.retryDelayOnFailover ?? 100}`);
    if ((o.retryDelayOnClusterDown ?? 100) > 0)
      found.push(`retryDelayOnClusterDown is ${o.retryDelayOnClusterDown ?? 100}`);
    if (o.redisOptions?.maxRetriesPerRequest !== 0)
      found.push(
        `redisOptions.maxRetriesPerRequest is ${String(o.redisOptions?.maxRetriesPerRequest ?? 20)}`,
      );
    if (found.length === 0) return null;
    return `${found.join(', ')}; create it with { enableOfflineQueue: false, retryDelayOnFailover: 0, retryDelayOnClusterDown: 0, redisOptions: { maxRetriesPerRequest: 0 } }`;
  }
  const o = client.options;
  if (o.enableOfflineQueue !== false) found.push('enableOfflineQueue is not false');
  if (o.maxRetriesPerRequest !== 0)
    found.push(`maxRetriesPerRequest is ${String(o.maxRetriesPerRequest ?? 20)}`);
  if (found.length === 0) return null;
  return `${found.join(', ')}; create it with { enableOfflineQueue: false, maxRetriesPerRequest: 0 }`;
}

/**
 * A second connection for pub/sub: SUBSCRIBE may queue until it is connected. `sharded` (a
 * Cluster only): the subscriber also serves SSUBSCRIBE, through a connection per master that
 * ioredis opens on first use; without it, SSUBSCRIBE to another master's slot meets MOVED.
 */
export function subscriberOf(
  client: StoreClient,
  options: { sharded?: boolean } = {},
): StoreClient {
  if (isCluster(client)) {
    // Cluster.duplicate's first argument is the startup nodes: options go second.
    return client.duplicate([], {
      enableOfflineQueue: true,
      lazyConnect: false,
      ...(options.sharded ? { shardedSubscribers: true } : {}),
    });
  }
  return client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
}
