import { Logger } from '@nestjs/common';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import {
  chooseClient,
  isCluster,
  lateCommandRisk,
  ownTimeout,
  subscriberOf,
  type StoreClient,
} from './redis-client';
import type { RedisStoreSettings } from './redis-options';
import { StoreUnavailableError } from './store.errors';
import { Compensations } from './compensations';
import { Wakeups } from './wakeups';

/** A Lua script as a port registers it; `keys` omitted: the key count is passed on each call. */
export interface ScriptDefinition {
  lua: string;
  keys?: number;
}

/**
 * The Redis client every Redis port shares: who owns it, the no-hang `call()` rule, the key
 * prefix, one pub/sub subscriber for all ports' channels, and script registration.
 */
export class RedisConnection {
  readonly client: StoreClient;
  private readonly owned: boolean;
  private subscriber: StoreClient | null = null;
  private readonly channels = new Map<string, (message: Buffer) => void>();
  private readonly closers: Array<() => void> = [];
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  private lastErrorLog = 0;
  private readonly timerList: NodeJS.Timeout;
  readonly compensations: Compensations;
  /** Wake-up channels: classic, or sharded per key on a Cluster of Redis >= 7. */
  readonly wakeups: Wakeups;

  constructor(private readonly settings: RedisStoreSettings) {
    const { client, owned } = chooseClient(settings);
    this.client = client;
    this.owned = owned;
    if (owned) client.on('error', (err: Error) => this.logError('client', err));
    this.compensations = new Compensations((err) => this.logError('compensation', err));
    // Each command runs under a `commandTimeout` timer. Node drops a duration's timer list with
    // its last timer; this idle interval keeps it, so a command's timer is a list append.
    this.timerList = setInterval(() => undefined, settings.commandTimeout).unref();
    this.wakeups = new Wakeups(
      isCluster(client),
      () => this.subscriber,
      settings.commandTimeout,
      (err) => this.logError('sunsubscribe', err),
    );
  }

  /** Registers a port's scripts (EVALSHA after the first call), typed as the port's commands. */
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
      // onStoreError policy until the client's reconnect loop gets through. 'ready' as well: a
      // Cluster whose first ready check fails reconnects, and that connect() never settles.
      let ready!: () => void;
      await Promise.race([
        this.client.connect().catch((err: Error) => this.logError('connect', err)),
        new Promise<void>((resolve) => this.client.once('ready', (ready = resolve))),
      ]);
      this.client.off('ready', ready);
    }
    if (!this.owned) {
      const risk = lateCommandRisk(this.client);
      if (risk) {
        this.logger.warn(
          `store.redis: your ioredis client may run a command after the store gave up on it (${risk}). Otherwise a lock can stay held with nothing running after an outage.`,
        );
      }
    }
    if (this.client.status === 'ready') {
      // A failed boot gets no shutdown hook: close what we opened before saying why.
      await this.checkServer().catch(async (err: unknown) => {
        await this.close();
        throw err;
      });
    }
    const learn = (waitMs: number): Promise<void> =>
      this.wakeups.learnFrom(async () => (await this.readInfo())('redis_version'), waitMs);
    // Redis answers: wait (a little) for its version, or this instance would serve classic.
    await learn(this.client.status === 'ready' ? 2000 : 0);
    this.client.on('ready', () => {
      void this.compensations.flush();
      void learn(0);
    });
    if (this.channels.size > 0) this.subscribe();
  }

  /** One subscriber for all channels; the fixed ones subscribed until it holds, unless sharded. */
  private subscribe(): void {
    const sub = subscriberOf(this.client, { sharded: this.wakeups.mayShard });
    sub.on('error', (err: Error) => this.logError('subscriber', err));
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.channels.get(channel.toString())?.(message),
    );
    sub.on('smessageBuffer', (channel: Buffer, message: Buffer) =>
      this.wakeups.route(this.channels, channel.toString())?.(message),
    );
    this.subscriber = sub;
    if (this.wakeups.isSharded) return;
    let attempt = 0;
    const tryOnce = (): void => {
      if (this.subscriber !== sub) return;
      sub.subscribe(...this.channels.keys()).catch((err: Error) => {
        this.logError('subscribe', err);
        const timer = setTimeout(tryOnce, Math.min(2000, 100 * 2 ** attempt++));
        timer.unref();
      });
    };
    tryOnce();
  }

  /**
   * At boot, once: a single-node client aimed at a Cluster node or a Sentinel would half-work
   * (MOVED for most keys), so it stops the boot naming the option to use.
   */
  private async checkServer(): Promise<void> {
    const field = await this.readInfo();
    const mode = field('redis_mode');
    if (mode === 'cluster' && !isCluster(this.client)) {
      throw new Error(
        `ProtectionModule: store.redis points at a Redis Cluster node but is a single-node client, so most keys would fail with MOVED. Use store: { redis: { cluster: ['host:port', ...] } } (the module creates the Cluster client), or pass an ioredis Cluster.`,
      );
    }
    if (mode === 'sentinel') {
      throw new Error(
        `ProtectionModule: store.redis points at a Sentinel, not at Redis. Use store: { redis: 'redis+sentinel://host:port,host:port/mymaster' } or { redis: { sentinels: [{ host, port }], name: 'mymaster' } }.`,
      );
    }
    this.warnIfEvicting(field);
  }

  /** INFO's fields (none when it fails or takes over a second); tells the wake-ups the version. */
  private async readInfo(): Promise<(name: string) => string | undefined> {
    const info = await Promise.race([
      this.client.info().catch(() => ''),
      new Promise<string>((resolve) => setTimeout(() => resolve(''), 1000).unref()),
    ]);
    const field = (name: string): string | undefined =>
      new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    this.wakeups.learn(field('redis_version'));
    return field;
  }

  /**
   * Every key we write has a TTL, so any maxmemory-policy but noeviction lets Redis drop them
   * under memory pressure: a used single-use token or a rate-limit block would be forgotten.
   * INFO rather than CONFIG GET: managed Redis services often disable CONFIG.
   */
  private warnIfEvicting(field: (name: string) => string | undefined): void {
    const policy = field('maxmemory_policy');
    if (Number(field('maxmemory') ?? 0) > 0 && policy !== undefined && policy !== 'noeviction') {
      this.logger.warn(
        `Redis maxmemory-policy is ${policy}: under memory pressure Redis may evict protection state (single-use marks, rate-limit blocks, CAPTCHA codes) before it expires. Set maxmemory-policy noeviction on this Redis (then a full Redis fails commands, and each protection follows its onStoreError), or give it room.`,
      );
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timerList);
    this.wakeups.close();
    for (const fn of this.closers) fn();
    await this.compensations.close();
    const sub = this.subscriber;
    this.subscriber = null;
    // disconnect() after QUIT as well: only it stops a Sentinel client's failover detector,
    // whose own connections to the sentinels would otherwise keep reconnecting.
    if (sub) await sub.quit().catch(() => undefined);
    sub?.disconnect();
    if (this.owned) {
      await this.client.quit().catch(() => undefined);
      this.client.disconnect();
    }
  }

  /**
   * Runs one command under the no-hang rules: a client that is not connected fails at once
   * (no offline queue), and a slow reply fails after the command timeout even on a
   * user-provided client that has none.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') {
      throw new StoreUnavailableError(`Redis is not connected (status: ${this.client.status})`, {
        sent: false,
      });
    }
    const guarded = this.owned || ownTimeout(this.client) !== undefined;
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
