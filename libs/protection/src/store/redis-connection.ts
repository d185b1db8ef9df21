import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import type { RedisStoreSettings } from './redis-options';
import { StoreUnavailableError } from './store.errors';

/** A Lua script as a port registers it; `keys` omitted: the key count is passed on each call. */
export interface ScriptDefinition {
  lua: string;
  keys?: number;
}

/** Options we set on clients we create: fail fast instead of queueing while Redis is down. */
function ownClientOptions(commandTimeout: number): RedisOptions {
  return {
    commandTimeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

function isRedisClient(value: unknown): value is Redis {
  if (value instanceof Redis) return true;
  const v = value as Redis | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.defineCommand === 'function' &&
    typeof v.duplicate === 'function'
  );
}

/**
 * The Redis client every Redis port shares: who owns it, the no-hang `call()` rule, the key
 * prefix, one pub/sub subscriber for all ports' channels, and script registration.
 */
export class RedisConnection {
  readonly client: Redis;
  private readonly owned: boolean;
  private subscriber: Redis | null = null;
  private readonly channels = new Map<string, (message: Buffer) => void>();
  private readonly closers: Array<() => void> = [];
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  private lastErrorLog = 0;

  constructor(private readonly settings: RedisStoreSettings) {
    const { redis, commandTimeout } = settings;
    if (isRedisClient(redis)) {
      this.client = redis;
      this.owned = false;
    } else if (typeof redis === 'string') {
      this.client = new Redis(redis, ownClientOptions(commandTimeout));
      this.owned = true;
    } else {
      this.client = new Redis({ ...ownClientOptions(commandTimeout), ...(redis as RedisOptions) });
      this.owned = true;
    }
    if (this.owned) this.client.on('error', (err: Error) => this.logError('client', err));
  }

  /**
   * Registers a port's scripts (EVALSHA after the first call) and returns the client typed as
   * the port's commands; ioredis adds a `<name>Buffer` variant of each.
   */
  defineCommands<C>(scripts: Record<string, ScriptDefinition>): C {
    for (const [name, s] of Object.entries(scripts)) {
      this.client.defineCommand(
        name,
        s.keys === undefined ? { lua: s.lua } : { numberOfKeys: s.keys, lua: s.lua },
      );
    }
    return this.client as unknown as C;
  }

  /** Every key we touch carries the configured prefix. */
  k(key: string): string {
    return `${this.settings.prefix}:${key}`;
  }

  /** Subscribes `handler` to the prefixed `channel` (from `init()` on); returns the full channel name. */
  listen(channel: string, handler: (message: Buffer) => void): string {
    const name = this.k(channel);
    this.channels.set(name, handler);
    return name;
  }

  /** Runs `fn` on `close()`, before the clients go (a port wakes what still waits on Redis). */
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  async init(): Promise<void> {
    if (this.owned && this.client.status === 'wait') {
      // A Redis that is down at boot must not stop the app: the protections follow their
      // onStoreError policy until the client's reconnect loop gets through.
      await this.client.connect().catch((err: Error) => this.logError('connect', err));
    }
    if (this.client.status === 'ready') await this.warnIfEvicting();
    if (this.channels.size === 0) return;
    // The subscriber is off the request path: it may queue its SUBSCRIBE until Redis is up.
    const sub = this.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    sub.on('error', (err: Error) => this.logError('subscriber', err));
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.channels.get(channel.toString())?.(message),
    );
    this.subscriber = sub;
    await Promise.race([
      sub.subscribe(...this.channels.keys()).catch((err: Error) => this.logError('subscribe', err)),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  }

  /**
   * Every key we write has a TTL, so any maxmemory-policy but noeviction lets Redis drop them
   * under memory pressure: a used single-use token or a rate-limit block would be forgotten.
   * INFO rather than CONFIG GET: managed Redis services often disable CONFIG.
   */
  private async warnIfEvicting(): Promise<void> {
    const info = await Promise.race([
      this.client.info('memory').catch(() => ''),
      new Promise<string>((resolve) => setTimeout(() => resolve(''), 1000).unref()),
    ]);
    const field = (name: string): string | undefined =>
      new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const policy = field('maxmemory_policy');
    if (Number(field('maxmemory') ?? 0) > 0 && policy !== undefined && policy !== 'noeviction') {
      this.logger.warn(
        `Redis maxmemory-policy is ${policy}: under memory pressure Redis may evict protection state (single-use marks, rate-limit blocks, CAPTCHA codes) before it expires. Set maxmemory-policy noeviction on this Redis (then a full Redis fails commands, and each protection follows its onStoreError), or give it room.`,
      );
    }
  }

  async close(): Promise<void> {
    for (const fn of this.closers) fn();
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }

  /**
   * Runs one command under the no-hang rules: a client that is not connected fails at once
   * (no offline queue), and a slow reply fails after the command timeout even on a
   * user-provided client that has none.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') {
      throw new StoreUnavailableError(`Redis is not connected (status: ${this.client.status})`);
    }
    const guarded = this.owned || this.client.options.commandTimeout !== undefined;
    try {
      if (guarded) return await fn();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StoreUnavailableError('Redis command timed out')),
          this.settings.commandTimeout,
        );
      });
      try {
        return await Promise.race([fn(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`Redis command failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** At most one line per 10 s: a Redis outage must not flood the log. */
  logError(what: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis ${what} error: ${err.message}`);
  }
}
