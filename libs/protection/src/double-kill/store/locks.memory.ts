import type { LockAcquisition, LockPort } from './locks.port';

/** Locks of this process. */
export class LocksMemory implements LockPort {
  // Held locks are never evicted by size (their number is bounded by the calls running now);
  // an expired lease is dropped when the key is next touched.
  private readonly held = new Map<
    string,
    { owner: string; expiresAt: number; startedAt: number; tag: string }
  >();
  /** The table is swept of expired leases when it grows past this (then twice what is left). */
  private sweepAbove = 1024;

  /**
   * The last fencing token of this process. Tokens are at least the clock in ms and above every
   * token before them, so a key's tokens only increase, with no per-key state a flood could
   * evict (and none to keep once the key is idle).
   */
  private lastToken = 0;

  acquire(key: string, owner: string, leaseMs: number, tag = ''): Promise<LockAcquisition> {
    const now = Date.now();
    const held = this.held.get(key);
    if (held && held.expiresAt > now) {
      return Promise.resolve({ acquired: false, elapsedMs: now - held.startedAt, tag: held.tag });
    }
    this.held.set(key, { owner, expiresAt: now + leaseMs, startedAt: now, tag });
    if (this.held.size > this.sweepAbove) this.sweep(now);
    const fencingToken = (this.lastToken = Math.max(this.lastToken + 1, now));
    return Promise.resolve({ acquired: true, fencingToken });
  }

  renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const held = this.held.get(key);
    if (!held || held.owner !== owner || held.expiresAt <= Date.now())
      return Promise.resolve(false);
    held.expiresAt = Date.now() + leaseMs;
    return Promise.resolve(true);
  }

  release(key: string, owner: string): Promise<boolean> {
    const held = this.held.get(key);
    if (!held || held.owner !== owner) return Promise.resolve(false);
    this.held.delete(key);
    return Promise.resolve(true);
  }

  clear(): void {
    this.held.clear();
  }

  /** Drops expired leases nobody touched again (their holders hang or crashed mid-call). */
  private sweep(now: number): void {
    for (const [key, held] of this.held) if (held.expiresAt <= now) this.held.delete(key);
    this.sweepAbove = Math.max(1024, this.held.size * 2);
  }
}
