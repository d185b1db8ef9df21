import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import type {
  RateLimitDecision,
  RateLimitPolicy,
  LockAcquisition,
  CaptchaCheckResult,
  CaptchaQuest,
  CaptchaQuestResult,
  DebounceClaim,
  DebounceOutcome,
  ProtectionStore,
} from './protection-store.interface';
import { LEADER_CLAIM } from './protection-store.interface';
import {
  CAPTCHA_CHECK,
  CAPTCHA_QUEST,
  DEBOUNCE_CLAIM,
  DEBOUNCE_SETTLE,
  LOCK_ACQUIRE,
  LOCK_RELEASE,
  LOCK_RENEW,
  RATE_LIMIT,
  SHARED_SECRET,
} from './redis.scripts';
import { decodeResponse, encodeResponse } from './response.codec';
import { StoreUnavailableError } from './store.errors';
import type { RedisStoreSettings } from './redis-options';

type BufferReply = Array<Buffer | number>;

interface ProtectionCommands {
  npDebounceClaimBuffer(key: string, token: string, windowMs: number, follow: number): Promise<BufferReply>;
  npDebounceSettle(key: string, token: string, state: string, response: Buffer | string, channel: string): Promise<number>;
  npSharedSecret(key: string, candidate: string): Promise<string>;
  npCaptchaQuest(state: string, images: string, guess: string, code: string, codeTtlMs: number, retries: number, limit: number, stateTtlMs: number): Promise<[string, number]>;
  npCaptchaCheck(state: string, guess: string, stateTtlMs: number): Promise<CaptchaCheckResult>;
  npLockAcquire(lock: string, fencing: string, owner: string, leaseMs: number): Promise<[number, number]>;
  npLockRenew(lock: string, owner: string, leaseMs: number): Promise<number>;
  npLockRelease(lock: string, owner: string): Promise<number>;
  npRateLimit(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<number[]>;
}

type Waiter = (outcome: DebounceOutcome | null) => void;

const STATE_DONE = 0x64; // 'd'

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
  return value instanceof Redis || (typeof value === 'object' && value !== null && typeof (value as Redis).defineCommand === 'function' && typeof (value as Redis).duplicate === 'function');
}

/** State in Redis, shared by every app instance that uses the same server and prefix. */
export class RedisStore implements ProtectionStore {
  readonly kind = 'redis' as const;
  readonly client: Redis;
  private readonly owned: boolean;
  private subscriber: Redis | null = null;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly channel: string;
  private readonly commands: ProtectionCommands;
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
    this.client.defineCommand('npDebounceClaim', { numberOfKeys: 1, lua: DEBOUNCE_CLAIM });
    this.client.defineCommand('npDebounceSettle', { numberOfKeys: 1, lua: DEBOUNCE_SETTLE });
    this.client.defineCommand('npSharedSecret', { numberOfKeys: 1, lua: SHARED_SECRET });
    this.client.defineCommand('npCaptchaQuest', { numberOfKeys: 2, lua: CAPTCHA_QUEST });
    this.client.defineCommand('npCaptchaCheck', { numberOfKeys: 1, lua: CAPTCHA_CHECK });
    this.client.defineCommand('npLockAcquire', { numberOfKeys: 2, lua: LOCK_ACQUIRE });
    this.client.defineCommand('npLockRenew', { numberOfKeys: 1, lua: LOCK_RENEW });
    this.client.defineCommand('npLockRelease', { numberOfKeys: 1, lua: LOCK_RELEASE });
    // Variable key count: the number of keys is passed first on each call.
    this.client.defineCommand('npRateLimit', { lua: RATE_LIMIT });
    this.commands = this.client as unknown as ProtectionCommands;
    this.channel = `${settings.prefix}:debounce:wake`;
  }

  async init(): Promise<void> {
    if (this.owned && this.client.status === 'wait') {
      // A Redis that is down at boot must not stop the app: the protections follow their
      // onStoreError policy until the client's reconnect loop gets through.
      await this.client.connect().catch((err: Error) => this.logError('connect', err));
    }
    // The subscriber is off the request path: it may queue its SUBSCRIBE until Redis is up.
    const sub = this.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    sub.on('error', (err: Error) => this.logError('subscriber', err));
    sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onMessage(message));
    this.subscriber = sub;
    await Promise.race([
      sub.subscribe(this.channel).catch((err: Error) => this.logError('subscribe', err)),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  }

  async debounceClaim(key: string, token: string, windowMs: number, follow: boolean): Promise<DebounceClaim> {
    const reply = await this.call(() =>
      this.commands.npDebounceClaimBuffer(this.k(key), token, windowMs, follow ? 1 : 0),
    );
    if (reply[0] === 1) return LEADER_CLAIM;
    const state = reply[2] as Buffer;
    const pttl = Number(reply[4]);
    return {
      role: 'follower',
      token: (reply[1] as Buffer).toString(),
      remainingMs: pttl > 0 ? pttl : 0,
      outcome: toOutcome(state[0], reply[3] as Buffer),
    };
  }

  async debounceSettle(key: string, token: string, outcome: DebounceOutcome): Promise<void> {
    const done = outcome.kind === 'response';
    await this.call(() =>
      this.commands.npDebounceSettle(
        this.k(key),
        token,
        done ? 'd' : 'f',
        done ? encodeResponse(outcome.response) : '',
        this.channel,
      ),
    );
  }

  async debounceAwait(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null> {
    let settle!: Waiter;
    const woken = new Promise<DebounceOutcome | null>((resolve) => (settle = resolve));
    const timer = setTimeout(() => settle(null), timeoutMs);
    let set = this.waiters.get(token);
    if (!set) this.waiters.set(token, (set = new Set()));
    set.add(settle);
    try {
      // Look again now that we listen: the leader may have finished between our claim and
      // the waiter's registration, and that message is gone.
      const [t, s, r] = await this.call(() =>
        this.client.hmgetBuffer(this.k(key), 't', 's', 'r'),
      );
      if (!t || t.toString() !== token) return null;
      const now = s ? toOutcome(s[0], r ?? Buffer.alloc(0)) : null;
      if (now) return now;
      return await woken;
    } finally {
      clearTimeout(timer);
      set.delete(settle);
      if (set.size === 0) this.waiters.delete(token);
    }
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    return this.call(() => this.commands.npSharedSecret(this.k(`secret:{${name}}`), candidate));
  }

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    const reply = await this.call(() =>
      this.client.set(this.k(`once:{${key}}`), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return reply === 'OK';
  }

  async captchaQuest(q: CaptchaQuest): Promise<CaptchaQuestResult> {
    const [result, pttl] = await this.call(() =>
      this.commands.npCaptchaQuest(
        this.k(`captcha:{${q.ticket}}:${q.route}`),
        this.k(`captcha:{${q.ticket}}:images`),
        q.guess,
        q.code,
        q.codeTtlMs,
        q.retries,
        q.imagesPerMinute,
        q.stateTtlMs,
      ),
    );
    return { result: result as CaptchaQuestResult['result'], retryAfterMs: Math.max(0, Number(pttl)) };
  }

  async captchaCheck(ticket: string, route: string, guess: string, stateTtlMs: number): Promise<CaptchaCheckResult> {
    return this.call(() => this.commands.npCaptchaCheck(this.k(`captcha:{${ticket}}:${route}`), guess, stateTtlMs));
  }

  async lockAcquire(key: string, owner: string, leaseMs: number): Promise<LockAcquisition> {
    const [ok, n] = await this.call(() =>
      this.commands.npLockAcquire(this.k(`lock:{${key}}`), this.k(`lock:{${key}}:fencing`), owner, leaseMs),
    );
    return ok === 1 ? { acquired: true, fencingToken: Number(n) } : { acquired: false, elapsedMs: Math.max(0, Number(n)) };
  }

  async lockRenew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.call(() => this.commands.npLockRenew(this.k(`lock:{${key}}`), owner, leaseMs))) === 1;
  }

  async lockRelease(key: string, owner: string): Promise<boolean> {
    return (await this.call(() => this.commands.npLockRelease(this.k(`lock:{${key}}`), owner))) === 1;
  }

  async rateLimitHit(client: string, policies: readonly RateLimitPolicy[], member: string): Promise<RateLimitDecision> {
    const tag = sha256Tag(client);
    const keys = policies.map((p) => this.k(`ratelimit:{${tag}}:${p.name}`));
    const args = policies.flatMap((p) => [p.limit, p.windowMs]);
    const reply = await this.call(() => this.commands.npRateLimit(keys.length, ...keys, member, ...args));
    return {
      allowed: reply[0] === 1,
      policies: policies.map((_, i) => ({ remaining: Number(reply[1 + i * 2]), resetMs: Math.max(0, Number(reply[2 + i * 2])) })),
    };
  }

  async progressPut(key: string, record: string, ttlMs: number): Promise<void> {
    await this.call(() => this.client.set(this.k(`progress:{${key}}`), record, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async progressGet(key: string): Promise<string | null> {
    return this.call(() => this.client.get(this.k(`progress:{${key}}`)));
  }

  async close(): Promise<void> {
    for (const set of this.waiters.values()) for (const w of set) w(null);
    this.waiters.clear();
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Every key we touch carries the configured prefix. */
  private k(key: string): string {
    return `${this.settings.prefix}:${key}`;
  }

  private onMessage(message: Buffer): void {
    const nl = message.indexOf(10);
    if (nl < 0) return;
    const token = message.toString('latin1', 0, nl);
    const set = this.waiters.get(token);
    if (!set) return;
    const outcome = toOutcome(message[nl + 1], message.subarray(nl + 2)) ?? { kind: 'failed' as const };
    for (const w of [...set]) w(outcome);
  }

  /**
   * Runs one command under the no-hang rules: a client that is not connected fails at once
   * (no offline queue), and a slow reply fails after the command timeout even on a
   * user-provided client that has none.
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
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
      throw new StoreUnavailableError(`Redis command failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private logError(what: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis ${what} error: ${err.message}`);
  }
}

/** Client ids are user input: a bounded, tag-safe form for keys. */
function sha256Tag(value: string): string {
  return value.length <= 64 && /^[\w.:@-]+$/.test(value) ? value : createHash('sha256').update(value).digest('base64url');
}

function toOutcome(state: number | undefined, response: Buffer): DebounceOutcome | null {
  if (state === STATE_DONE) {
    const decoded = decodeResponse(response);
    return decoded ? { kind: 'response', response: decoded } : { kind: 'failed' };
  }
  if (state === 0x66) return { kind: 'failed' }; // 'f'
  return null;
}
