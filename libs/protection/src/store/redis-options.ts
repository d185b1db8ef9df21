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

/** Redis as the shared store: every app instance using it decides as one. */
export interface RedisStoreOptions {
  /**
   * A `redis://` / `rediss://` URL or ioredis options for a client the module creates (and
   * closes on shutdown), or an ioredis client of yours (used as is, never closed by the module).
   */
  redis: string | RedisClientLike | RedisConnectionOptions;
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
  readonly redis: string | RedisClientLike | RedisConnectionOptions;
  /** Prefix of every key and channel. */
  readonly prefix: string;
  /** Longest a command may take before the protection treats Redis as down. */
  readonly commandTimeout: number;
}
