import { LruMap } from '../../store/lru-map';
import type { LockAcquisition, LockPort } from './locks.port';

/** A fencing counter outlives its lock by this long, so tokens only increase while a key is in use. */
const FENCING_TTL_MS = 30 * 86_400_000;

/** Locks of this process. */
export class LocksMemory implements LockPort {
  // Held locks are never evicted by size (their number is bounded by the calls running now);
  // an expired lease is dropped when the key is next touched.
  private readonly held = new Map<
    string,
    { owner: string; expiresAt: number; startedAt: number; tag: string }
  >();
  private readonly fencing: LruMap<number>;

  constructor(maxEntries: number) {
    this.fencing = new LruMap(maxEntries);
  }

  acquire(key: string, owner: string, leaseMs: number, tag = ''): Promise<LockAcquisition> {
    const now = Date.now();
    const held = this.held.get(key);
    if (held && held.expiresAt > now) {
      return Promise.resolve({ acquired: false, elapsedMs: now - held.startedAt, tag: held.tag });
    }
    this.held.set(key, { owner, expiresAt: now + leaseMs, startedAt: now, tag });
    const fencingToken = (this.fencing.get(key, now) ?? 0) + 1;
    this.fencing.set(key, fencingToken, FENCING_TTL_MS, now);
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
}
