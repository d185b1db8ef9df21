import { CaptchaRedis } from './first-blood/store/captcha.redis';
import { DebounceRedis } from './debounce/store/debounce.redis';
import { LocksRedis } from './double-kill/store/locks.redis';
import type { ProtectionStore } from './protection.store';
import { RateLimitRedis } from './store/rate-limit/rate-limit.redis';
import { RedisConnection } from './store/redis-connection';
import type { RedisStoreSettings } from './store/redis-options';
import { RecordsRedis } from './store/records.redis';

/** State in Redis, shared by every app instance that uses the same server and prefix. */
export class RedisStore implements ProtectionStore {
  readonly shared = true;
  readonly connection: RedisConnection;
  readonly debounce: DebounceRedis;
  readonly locks: LocksRedis;
  readonly captcha: CaptchaRedis;
  readonly rateLimit: RateLimitRedis;
  readonly records: RecordsRedis;

  constructor(settings: RedisStoreSettings) {
    const connection = (this.connection = new RedisConnection(settings));
    this.debounce = new DebounceRedis(connection);
    this.locks = new LocksRedis(connection);
    this.captcha = new CaptchaRedis(connection);
    this.rateLimit = new RateLimitRedis(connection);
    this.records = new RecordsRedis(connection);
  }

  /** The ioredis client in use (yours, or the one the store created). */
  get client(): RedisConnection['client'] {
    return this.connection.client;
  }

  init(): Promise<void> {
    return this.connection.init();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
