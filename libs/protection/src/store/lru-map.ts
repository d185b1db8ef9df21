interface Entry<V> {
  value: V;
  /** On the map's own clock (see ORIGIN). */
  expiresAt: number;
}

/**
 * Expiry times are kept as ms since this module loaded, not since 1970: a small integer is stored
 * inside the entry, a 13-digit one would be a separate heap number per entry (for the first 24
 * days of a process; after that they are heap numbers again, as correct and a little slower).
 */
const ORIGIN = Date.now();
/** Earlier than any expiry. */
const NEVER = -Infinity;

/**
 * A size-bounded map whose entries expire lazily: no timer per entry, so a million keys cost
 * no million timers. Recency is tracked in two generations (the scheme of quick-lru): new and
 * touched entries live in `young`; when `young` holds half the bound it becomes `old` and the
 * previous `old` is dropped, so every operation is O(1) and the total never exceeds the bound.
 * (A single Map used as a queue is not O(1): V8 keeps deleted slots at its front until the
 * next rehash, and each eviction would scan them.)
 *
 * Each generation also remembers when its last entry expires: once everything in `old` has
 * expired, the generations turn over early. So a map of short-lived keys (a debounce window
 * of half a second) holds about two windows' worth of entries, not `maxEntries`, which keeps
 * the live heap, and the garbage collector's work per request, small.
 */
export class LruMap<V> {
  private young = new Map<string, Entry<V>>();
  private old = new Map<string, Entry<V>>();
  /** Latest expiry in each generation. */
  private youngUntil = NEVER;
  private oldUntil = NEVER;
  /** Expiry of the first entry put in `young`. */
  private youngFirst = NEVER;
  private readonly generation: number;

  constructor(
    maxEntries: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {
    this.generation = Math.max(1, Math.floor(maxEntries / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The live value, marked as recently used; undefined if absent or expired. */
  get(key: string, epochNow = Date.now()): V | undefined {
    const now = epochNow - ORIGIN;
    let entry = this.young.get(key);
    if (entry) {
      if (entry.expiresAt > now) return entry.value;
      this.young.delete(key);
      this.onEvict?.(key, entry.value);
      return undefined;
    }
    entry = this.old.get(key);
    if (!entry) return undefined;
    this.old.delete(key);
    if (entry.expiresAt <= now) {
      this.onEvict?.(key, entry.value);
      return undefined;
    }
    this.insert(key, entry, now);
    return entry.value;
  }

  /** Expiry time of a live entry (ms since epoch, like `Date.now()`), without touching it. */
  expiresAt(key: string): number | undefined {
    const entry = this.young.get(key) ?? this.old.get(key);
    return entry && entry.expiresAt + ORIGIN;
  }

  set(key: string, value: V, ttlMs: number, epochNow = Date.now()): void {
    const now = epochNow - ORIGIN;
    this.old.delete(key);
    this.insert(key, { value, expiresAt: now + ttlMs }, now);
  }

  /** `set` for a key known to be absent (a `get` just missed): skips the old-generation delete. */
  add(key: string, value: V, ttlMs: number, epochNow = Date.now()): void {
    const now = epochNow - ORIGIN;
    this.insert(key, { value, expiresAt: now + ttlMs }, now);
  }

  delete(key: string): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.youngUntil = this.oldUntil = this.youngFirst = NEVER;
  }

  private insert(key: string, entry: Entry<V>, now: number): void {
    this.young.set(key, entry);
    if (entry.expiresAt > this.youngUntil) this.youngUntil = entry.expiresAt;
    if (this.young.size === 1) this.youngFirst = entry.expiresAt;
    if (this.young.size >= this.generation) this.turnOver();
    // Nothing live would be lost: `old` has wholly expired (or is empty while the first entry of
    // `young` already has). Recency order is kept, only dead entries go early.
    else if (this.old.size > 0 ? this.oldUntil <= now : this.youngFirst <= now) this.turnOver();
  }

  /** `old` goes, `young` becomes `old`. */
  private turnOver(): void {
    const dropped = this.old;
    this.old = this.young;
    this.oldUntil = this.youngUntil;
    this.young = new Map();
    this.youngUntil = NEVER;
    if (this.onEvict) for (const [k, e] of dropped) this.onEvict(k, e.value);
  }
}
