/*
 * Redis option types written structurally, so the package's declarations compile in an app
 * that has no ioredis installed (the memory store needs none). An ioredis 5 or 6 client and
 * ioredis options, literal or typed `RedisOptions`, are assignable to them.
 */

/** The parts of an ioredis client the store relies on; any ioredis `Redis` instance fits. */
export interface RedisClientLike {
  readonly status: string;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  duplicate(...args: never[]): unknown;
}

/**
 * ioredis connection options for a client the module creates (ioredis's `RedisOptions`).
 * Every ioredis option is accepted; the common ones are typed here, the rest are passed on as
 * they are, and a misspelt name is a compile error.
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  path?: string;
  family?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
  connectionName?: string;
  keyPrefix?: string;
  connectTimeout?: number;
  commandTimeout?: number;
  socketTimeout?: number;
  keepAlive?: number;
  noDelay?: boolean;
  lazyConnect?: boolean;
  enableAutoPipelining?: boolean;
  enableOfflineQueue?: boolean;
  enableReadyCheck?: boolean;
  maxRetriesPerRequest?: number | null;
  retryStrategy?: ((times: number) => number | void | null) | null;
  reconnectOnError?: ((error: Error) => boolean | 1 | 2) | null;
  readOnly?: boolean;
  /** Sentinel: the master group name and the sentinels to ask. */
  name?: string;
  role?: 'master' | 'slave';
  sentinels?: ReadonlyArray<Partial<{ host: string; port: number; family: number }>>;
  sentinelUsername?: string;
  sentinelPassword?: string;
  // The rarer ioredis options, passed through untyped.
  Connector?: unknown;
  blockingTimeout?: unknown;
  blockingTimeoutGrace?: unknown;
  disableClientInfo?: unknown;
  clientInfoTag?: unknown;
  autoResubscribe?: unknown;
  autoResendUnfulfilledCommands?: unknown;
  stringNumbers?: unknown;
  protocol?: unknown;
  replyMapping?: unknown;
  monitor?: unknown;
  maxLoadingRetryTime?: unknown;
  autoPipeliningIgnoredCommands?: unknown;
  offlineQueue?: unknown;
  commandQueue?: unknown;
  scripts?: unknown;
  himportFieldsets?: unknown;
  showFriendlyErrorStack?: unknown;
  sentinelRetryStrategy?: unknown;
  sentinelReconnectStrategy?: unknown;
  preferredSlaves?: unknown;
  disconnectTimeout?: unknown;
  sentinelCommandTimeout?: unknown;
  enableTLSForSentinelMode?: unknown;
  sentinelTLS?: unknown;
  natMap?: unknown;
  updateSentinels?: unknown;
  sentinelMaxConnections?: unknown;
  failoverDetector?: unknown;
}

/** The parts of an ioredis `Cluster` the store relies on; any ioredis `Cluster` instance fits. */
export interface RedisClusterLike extends RedisClientLike {
  readonly isCluster: boolean;
  nodes(...args: never[]): unknown[];
}

/** A cluster node: `'host:port'` or `{ host, port }`. */
export type RedisClusterNode = string | { host: string; port: number };

/**
 * ioredis `ClusterOptions` for a cluster client the module creates. `redisOptions` applies to
 * every node connection (password, TLS...).
 */
export interface RedisClusterClientOptions {
  redisOptions?: Omit<RedisConnectionOptions, 'host' | 'port' | 'path' | 'sentinels' | 'name'>;
  scaleReads?: 'master' | 'slave' | 'all';
  maxRedirections?: number;
  retryDelayOnFailover?: number;
  retryDelayOnClusterDown?: number;
  retryDelayOnTryAgain?: number;
  retryDelayOnMoved?: number;
  slotsRefreshTimeout?: number;
  slotsRefreshInterval?: number;
  enableReadyCheck?: boolean;
  enableAutoPipelining?: boolean;
  clusterRetryStrategy?: ((times: number, reason?: Error) => number | void | null) | null;
  natMap?: unknown;
  dnsLookup?: unknown;
  useSRVRecords?: boolean;
  resolveSrv?: unknown;
  shardedSubscribers?: boolean;
}

/** A Redis Cluster the module connects to (and closes on shutdown). */
export interface RedisClusterConnectionOptions {
  /** Some or all of the cluster's nodes; the rest are discovered. */
  cluster: readonly RedisClusterNode[];
  clusterOptions?: RedisClusterClientOptions;
}

/** Redis as the shared store: every app instance using it decides as one. */
export interface RedisStoreOptions {
  /**
   * Where the state lives. A client the module creates (and closes on shutdown): a
   * `redis://` / `rediss://` URL, a `redis+sentinel://host:port,host:port/mymaster` URL, ioredis
   * options (`{ host, port }`, or `{ sentinels, name }` for Sentinel), or `{ cluster: nodes,
   * clusterOptions? }` for a Redis Cluster. Or an ioredis `Redis` or `Cluster` of yours, used as
   * is and never closed by the module.
   */
  redis:
    | string
    | RedisClientLike
    | RedisClusterLike
    | RedisConnectionOptions
    | RedisClusterConnectionOptions;
  /** Prefix of every key and pub/sub channel. @default 'np' */
  prefix?: string;
  /**
   * Longest a store command may take before the protection treats Redis as down and follows
   * its `onStoreError` policy. @default 500
   */
  commandTimeout?: number;
}

/** Resolved Redis settings. */
export interface RedisStoreSettings {
  readonly redis: RedisStoreOptions['redis'];
  /** Prefix of every key and channel. */
  readonly prefix: string;
  /** Longest a command may take before the protection treats Redis as down. */
  readonly commandTimeout: number;
}
