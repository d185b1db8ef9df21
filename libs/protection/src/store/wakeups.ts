import { StoreUnavailableError } from './store.errors';

/** What the holds need of the subscriber (an ioredis Cluster created with shardedSubscribers). */
export interface ShardSubscriber {
  ssubscribe(channel: string): Promise<unknown>;
  sunsubscribe(channel: string): Promise<unknown>;
}

/** Where a wake-up about one key is published and listened for. */
export interface WakeChannel {
  readonly channel: string;
  /** SPUBLISH, and SSUBSCRIBE held while waiting; else PUBLISH on the always-subscribed channel. */
  readonly sharded: boolean;
}

interface Hold {
  /** Waiters of this process that need the channel. */
  count: number;
  /** The SSUBSCRIBE the current holders wait for; null when none is in force or under way. */
  subscribed: Promise<void> | null;
  /** The channel's last command: each waits for the one before, so an SUNSUBSCRIBE never overtakes a newer SSUBSCRIBE. */
  tail: Promise<void>;
}

/**
 * How waiters are woken across instances: PUBLISH on a fixed channel, or on a Cluster of Redis
 * >= 7 SPUBLISH on a channel per key. A classic PUBLISH crosses the cluster bus to every node
 * (slower wake-ups, more Redis CPU); SPUBLISH reaches only the channel's shard. A sharded
 * channel is subscribed only while some waiter of this process needs it.
 */
export class Wakeups {
  /** Undefined until the server's version is known (classic until then). */
  private sharded: boolean | undefined;
  private readonly holds = new Map<string, Hold>();
  private learning = false;
  private closed = false;
  /** Callers of `learnFrom` waiting for the decision. */
  private readonly deciding: Array<() => void> = [];

  constructor(
    cluster: boolean,
    /** The subscriber; null before `init()` and once the connection is closed. */
    private readonly subscriber: () => ShardSubscriber | null,
    private readonly timeoutMs: number,
    private readonly onError: (err: Error) => void,
  ) {
    this.sharded = cluster ? undefined : false;
  }

  /** False when known classic; true or undefined (not known yet) on a Cluster. */
  get mayShard(): boolean {
    return this.sharded !== false;
  }

  get isSharded(): boolean {
    return this.sharded === true;
  }

  /** Decides once, from the server's `redis_version` (SPUBLISH came with Redis 7). */
  learn(version: string | undefined): void {
    if (this.sharded === undefined && version !== undefined) {
      this.sharded = Number.parseInt(version, 10) >= 7;
      for (const done of this.deciding.splice(0)) done();
    }
  }

  /**
   * Asks `readVersion` (INFO) until it answers, then decides: INFO fails while a Cluster's node
   * connections are still opening or Redis is down, and an instance left classic would miss
   * the wake-ups of sharded ones. Every call asks at once; retries follow every 0.1-2 s.
   * Resolves once decided, or after `waitMs`.
   */
  learnFrom(readVersion: () => Promise<string | undefined>, waitMs = 0): Promise<void> {
    if (this.sharded !== undefined || this.closed) return Promise.resolve();
    const ask = (): Promise<void> => readVersion().then((version) => this.learn(version));
    if (this.learning) void ask();
    else {
      this.learning = true;
      let attempt = 0;
      const retry = (): void => {
        if (this.sharded !== undefined || this.closed) {
          this.learning = false;
          return;
        }
        setTimeout(() => void ask().then(retry), Math.min(2000, 100 * 2 ** attempt++)).unref();
      };
      void ask().then(retry);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.deciding.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops `learnFrom`'s retries and waits. */
  close(): void {
    this.closed = true;
    for (const done of this.deciding.splice(0)) done();
  }

  /** Channels held now (subscribed, or an SSUBSCRIBE or SUNSUBSCRIBE under way). */
  get held(): number {
    return this.holds.size;
  }

  /**
   * The channel of a wake-up about `tag` for the listened channel `name`. Sharded: the tag in
   * braces, so the channel hashes to the slot of the key tagged alike (a script may SPUBLISH
   * only to its own node's slots); else `name` itself.
   */
  channel(name: string, tag: string): WakeChannel {
    return this.sharded === true
      ? { channel: `${name}:{${tag}}`, sharded: true }
      : { channel: name, sharded: false };
  }

  /** The handler of the listened channel a sharded channel derives from. */
  route(
    channels: ReadonlyMap<string, (message: Buffer) => void>,
    channel: string,
  ): ((message: Buffer) => void) | undefined {
    for (const [name, handler] of channels) {
      if (channel.startsWith(name) && channel.startsWith(':{', name.length)) return handler;
    }
    return undefined;
  }

  /**
   * Subscribes `channel` for one waiter; resolves once subscribed (at once when another waiter
   * holds it), so a message published afterwards is delivered. Each resolved hold needs one
   * `release`. Rejects with StoreUnavailableError, holding nothing, when the subscription fails
   * or takes longer than the command timeout.
   */
  async hold(channel: string): Promise<void> {
    if (!this.subscriber()) throw closed();
    let h = this.holds.get(channel);
    if (!h) this.holds.set(channel, (h = { count: 0, subscribed: null, tail: Promise.resolve() }));
    h.count++;
    let subscribed = h.subscribed;
    if (!subscribed) {
      subscribed = h.tail
        .then(() => {
          const sub = this.subscriber();
          if (!sub) throw closed();
          return sub.ssubscribe(channel);
        })
        .then(() => undefined);
      h.subscribed = subscribed;
      h.tail = subscribed.catch(() => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError('Redis SSUBSCRIBE timed out')),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([subscribed, timeout]);
    } catch (err) {
      // The next waiter sends its own SSUBSCRIBE rather than inheriting this failure.
      if (h.subscribed === subscribed) h.subscribed = null;
      this.release(channel);
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`Redis SSUBSCRIBE failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives back one hold; the last one unsubscribes (after an SSUBSCRIBE still under way). */
  release(channel: string): void {
    const h = this.holds.get(channel);
    if (!h || --h.count > 0) return;
    h.subscribed = null;
    // Even after a failed SSUBSCRIBE: ioredis keeps a channel it was asked for, to subscribe it
    // again after a topology change, until it is unsubscribed.
    const tail = h.tail
      .then(() => this.subscriber()?.sunsubscribe(channel))
      .then(
        () => undefined,
        (err: Error) => this.onError(err),
      );
    h.tail = tail;
    void tail.then(() => {
      if (h.count === 0 && h.tail === tail && this.holds.get(channel) === h) {
        this.holds.delete(channel);
      }
    });
  }
}

function closed(): StoreUnavailableError {
  return new StoreUnavailableError('Redis subscriber is closed', { sent: false });
}
