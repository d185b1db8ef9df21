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
  /** An entry, or the bare expiry of a key holding the shared value (see `addShared`). */
  private young = new Map<string, Entry<V> | number>();
  private old = new Map<string, Entry<V> | number>();
  /** Latest expiry in each generation. */
  private youngUntil = NEVER;
  private oldUntil = NEVER;
  /** Expiry of the first entry put in `young`. */
  private youngFirst = NEVER;
  private readonly generation: number;

  /**
   * @param shared the value of keys added with `addShared`: such a key keeps no entry object,
   * only its expiry (a debounce claim nobody follows needs nothing else).
   */
  constructor(
    maxEntries: number,
    private readonly onEvict?: (key: string, value: V) => void,
    private readonly shared?: V,
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
    if (entry !== undefined) {
      if (expiryOf(entry) > now) return this.valueOf(entry);
      this.young.delete(key);
      this.evicted(key, entry);
      return undefined;
    }
    entry = this.old.get(key);
    if (entry === undefined) return undefined;
    this.old.delete(key);
    if (expiryOf(entry) <= now) {
      this.evicted(key, entry);
      return undefined;
    }
    this.insert(key, entry, now);
    return this.valueOf(entry);
  }

  /** Expiry time of a live entry (ms since epoch, like `Date.now()`), without touching it. */
  expiresAt(key: string): number | undefined {
    const entry = this.young.get(key) ?? this.old.get(key);
    return entry === undefined ? undefined : expiryOf(entry) + ORIGIN;
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

  /** `add` with the shared value (constructor): the key keeps only its expiry. */
  addShared(key: string, ttlMs: number, epochNow = Date.now()): void {
    const now = epochNow - ORIGIN;
    this.insert(key, now + ttlMs, now);
  }

  delete(key: string): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.youngUntil = this.oldUntil = this.youngFirst = NEVER;
  }

  private valueOf(entry: Entry<V> | number): V {
    return typeof entry === 'number' ? (this.shared as V) : entry.value;
  }

  private evicted(key: string, entry: Entry<V> | number): void {
    this.onEvict?.(key, this.valueOf(entry));
  }

  private insert(key: string, entry: Entry<V> | number, now: number): void {
    this.young.set(key, entry);
    const expiresAt = expiryOf(entry);
    if (expiresAt > this.youngUntil) this.youngUntil = expiresAt;
    if (this.young.size === 1) this.youngFirst = expiresAt;
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
    if (this.onEvict) for (const [k, e] of dropped) this.evicted(k, e);
  }
}

function expiryOf<V>(entry: Entry<V> | number): number {
  return typeof entry === 'number' ? entry : entry.expiresAt;
}
