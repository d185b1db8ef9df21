import { StoreFullError } from './store.errors';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** Below this share of the bound freed by a sweep, the next sweep waits (see `room`). */
const SWEEP_YIELD = 16;
const SWEEP_PAUSE_MS = 1000;

/**
 * A bounded table of security state: an entry lives until it expires, never less. When a new
 * key meets a full table, expired entries are swept out; if none can go, the write throws
 * `StoreFullError` (the feature's `onStoreError` decides) instead of forgetting a live entry,
 * which is what lets a flood of new keys lift a block or replay a single-use token from an LRU.
 *
 * A sweep reads the whole table, so while it is nearly full of live entries (a sweep freed less
 * than 1/16 of it) the next one waits a second: a flood costs at most one scan a second, and
 * refusals in between cost O(1).
 */
export class ExpiringTable<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private sweepNotBefore = 0;

  constructor(
    /** Named in the full-table error and warning. */
    readonly name: string,
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live value; undefined if absent or expired. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Throws `StoreFullError` unless `count` new keys fit. */
  room(count: number, now = Date.now()): void {
    if (this.entries.size + count <= this.maxEntries) return;
    if (now >= this.sweepNotBefore) {
      const before = this.entries.size;
      for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
      const freed = before - this.entries.size;
      this.sweepNotBefore = freed * SWEEP_YIELD < this.maxEntries ? now + SWEEP_PAUSE_MS : 0;
      if (this.entries.size + count <= this.maxEntries) return;
    }
    throw new StoreFullError(this.name, this.maxEntries);
  }

  /** Writes `key` for `ttlMs`; a new key needs room (`StoreFullError` otherwise). */
  set(key: string, value: V, ttlMs: number, now = Date.now()): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.expiresAt = now + ttlMs;
      return;
    }
    this.room(1, now);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.sweepNotBefore = 0;
  }
}

/** `fn()` as a promise: a synchronous throw (a full table) becomes a rejection. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
