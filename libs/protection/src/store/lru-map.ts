/**
 * A size-bounded map whose entries expire lazily. The least recently used entry is evicted
 * when full; an expired entry is dropped when it is next touched or reaches the old end.
 * No timer per entry, so a million keys cost no million timers.
 */
export class LruMap<V> {
  private readonly map = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The live value, refreshed as most recently used; undefined if absent or expired. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.map.delete(key);
      this.onEvict?.(key, entry.value);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  /** Expiry time of a live entry (ms since epoch), without refreshing it. */
  expiresAt(key: string): number | undefined {
    return this.map.get(key)?.expiresAt;
  }

  set(key: string, value: V, ttlMs: number, now = Date.now()): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt: now + ttlMs });
    this.trim(now);
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  private trim(now: number): void {
    // Map iterates in insertion order: the first entries are the least recently used.
    for (const [key, entry] of this.map) {
      if (this.map.size <= this.maxEntries && entry.expiresAt > now) break;
      this.map.delete(key);
      this.onEvict?.(key, entry.value);
    }
  }
}
