import type { RedisConnection } from '../../store/redis-connection';
import { StoreUnavailableError } from '../../store/store.errors';
import { LOCK_SCRIPTS } from './locks.lua';
import type { LockAcquisition, LockPort } from './locks.port';

interface LockCommands {
  npLockAcquire(
    lock: string,
    fencing: string,
    owner: string,
    leaseMs: number,
    tag: string,
  ): Promise<[number, number, string?]>;
  npLockRenew(lock: string, owner: string, leaseMs: number): Promise<number>;
  npLockRelease(lock: string, owner: string): Promise<number>;
}

/** Locks in Redis, shared by every instance on the same server and prefix. */
export class LocksRedis implements LockPort {
  private readonly commands: LockCommands;

  constructor(private readonly conn: RedisConnection) {
    this.commands = conn.defineCommands<LockCommands>(LOCK_SCRIPTS);
  }

  async acquire(key: string, owner: string, leaseMs: number, tag = ''): Promise<LockAcquisition> {
    const lock = this.conn.k(`lock:{${key}}`);
    let reply;
    try {
      reply = await this.conn.call(() =>
        this.commands.npLockAcquire(lock, lock + ':fencing', owner, leaseMs, tag),
      );
    } catch (err) {
      // The acquire may still have run: release it once the store answers (only if ours).
      this.undoLater(err, key, owner, leaseMs);
      throw err;
    }
    const [ok, n, held] = reply;
    return ok === 1
      ? { acquired: true, fencingToken: Number(n) }
      : { acquired: false, elapsedMs: Math.max(0, Number(n)), tag: held ?? '' };
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (
      (await this.conn.call(() =>
        this.commands.npLockRenew(this.conn.k(`lock:{${key}}`), owner, leaseMs),
      )) === 1
    );
  }

  async release(key: string, owner: string, leaseMs = 60_000): Promise<boolean> {
    try {
      return (
        (await this.conn.call(() =>
          this.commands.npLockRelease(this.conn.k(`lock:{${key}}`), owner),
        )) === 1
      );
    } catch (err) {
      // A release lost in an outage is retried once the store is back, not left for the lease.
      if (err instanceof StoreUnavailableError)
        this.conn.compensations.add(
          `lock:${key}:${owner}`,
          () => this.releaseNow(key, owner),
          leaseMs,
        );
      throw err;
    }
  }

  private releaseNow(key: string, owner: string): Promise<number> {
    return this.conn.call(() => this.commands.npLockRelease(this.conn.k(`lock:{${key}}`), owner));
  }

  private undoLater(err: unknown, key: string, owner: string, leaseMs: number): void {
    if (err instanceof StoreUnavailableError && err.sent) {
      this.conn.compensations.add(
        `lock:${key}:${owner}`,
        () => this.releaseNow(key, owner),
        leaseMs,
      );
    }
  }
}
