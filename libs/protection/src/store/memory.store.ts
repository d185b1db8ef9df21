import { LruMap } from './lru-map';
import type {
  DebounceClaim,
  DebounceOutcome,
  ProtectionStore,
} from './protection-store.interface';

/** Memory store limits. */
export interface MemoryStoreOptions {
  /** Most debounce keys kept at once; the least recently used go first. @default 100000 */
  debounceMaxEntries: number;
  /** Most single-use marks (e.g. `once` tokens) kept at once. @default 100000 */
  onceMaxEntries: number;
}

interface DebounceEntry {
  token: string;
  outcome: DebounceOutcome | null;
  waiters: Set<(outcome: DebounceOutcome | null) => void> | null;
}

/** One process, zero setup: every decision is synchronous, so it is atomic by construction. */
export class MemoryStore implements ProtectionStore {
  readonly kind = 'memory' as const;
  private readonly debounce: LruMap<DebounceEntry>;
  private readonly used: LruMap<true>;
  private readonly secrets = new Map<string, string>();

  constructor(options: MemoryStoreOptions) {
    // An evicted live entry wakes its followers with "no response": they answer 208 at once
    // instead of waiting for a leader whose result can no longer be delivered.
    this.debounce = new LruMap(options.debounceMaxEntries, (_key, entry) => wake(entry, null));
    this.used = new LruMap(options.onceMaxEntries);
  }

  /** Number of live debounce keys (for tests and diagnostics). */
  get debounceSize(): number {
    return this.debounce.size;
  }

  async init(): Promise<void> {}

  async debounceClaim(
    key: string,
    token: string,
    windowMs: number,
    _follow: boolean,
  ): Promise<DebounceClaim> {
    const now = Date.now();
    const entry = this.debounce.get(key, now);
    if (!entry) {
      this.debounce.set(key, { token, outcome: null, waiters: null }, windowMs, now);
      return { role: 'leader' };
    }
    const expiresAt = this.debounce.expiresAt(key) ?? now;
    return {
      role: 'follower',
      token: entry.token,
      remainingMs: Math.max(0, expiresAt - now),
      outcome: entry.outcome,
    };
  }

  async debounceSettle(key: string, token: string, outcome: DebounceOutcome): Promise<void> {
    const entry = this.debounce.get(key);
    if (!entry || entry.token !== token) return;
    entry.outcome = outcome;
    wake(entry, outcome);
  }

  debounceAwait(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null> {
    const entry = this.debounce.get(key);
    if (!entry || entry.token !== token) return Promise.resolve(null);
    if (entry.outcome) return Promise.resolve(entry.outcome);
    return new Promise((resolve) => {
      const waiters = (entry.waiters ??= new Set());
      const done = (outcome: DebounceOutcome | null): void => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve(outcome);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      waiters.add(done);
    });
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    let secret = this.secrets.get(name);
    if (secret === undefined) this.secrets.set(name, (secret = candidate));
    return secret;
  }

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.used.get(key)) return false;
    this.used.set(key, true, ttlMs);
    return true;
  }

  async close(): Promise<void> {
    this.debounce.clear();
    this.used.clear();
  }
}

function wake(entry: DebounceEntry, outcome: DebounceOutcome | null): void {
  if (!entry.waiters) return;
  const waiters = [...entry.waiters];
  entry.waiters = null;
  for (const w of waiters) w(outcome);
}
