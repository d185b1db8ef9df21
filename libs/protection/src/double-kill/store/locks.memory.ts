import { ExpiringTable, settle } from '../../store/expiring-table';
import type { LockAcquisition, LockPort } from './locks.port';

interface Held {
  owner: string;
  startedAt: number;
  tag: string;
}

/** Locks of this process. */
export class LocksMemory implements LockPort {
  // A held lock is never evicted before its lease ends; a full table refuses new keys
  // (StoreFullError, then `doubleKill.onStoreError`).
  private readonly held: ExpiringTable<Held>;

  /**
   * The last fencing token of this process. Tokens are at least the clock in ms and above every
   * token before them, so a key's tokens only increase, with no per-key state a flood could
   * evict (and none to keep once the key is idle).
   */
  private lastToken = 0;

  constructor(maxEntries = 100_000) {
    this.held = new ExpiringTable('DoubleKill locks', maxEntries);
  }

  acquire(key: string, owner: string, leaseMs: number, tag = ''): Promise<LockAcquisition> {
    return settle((): LockAcquisition => {
      const now = Date.now();
      const held = this.held.get(key, now);
      if (held) return { acquired: false, elapsedMs: now - held.startedAt, tag: held.tag };
      this.held.set(key, { owner, startedAt: now, tag }, leaseMs, now);
      const fencingToken = (this.lastToken = Math.max(this.lastToken + 1, now));
      return { acquired: true, fencingToken };
    });
  }

  renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.held.get(key, now);
    if (!held || held.owner !== owner) return Promise.resolve(false);
    this.held.set(key, held, leaseMs, now);
    return Promise.resolve(true);
  }

  release(key: string, owner: string): Promise<boolean> {
    const held = this.held.get(key);
    if (!held || held.owner !== owner) return Promise.resolve(false);
    this.held.delete(key);
    return Promise.resolve(true);
  }

  get size(): number {
    return this.held.size;
  }

  clear(): void {
    this.held.clear();
  }
}
