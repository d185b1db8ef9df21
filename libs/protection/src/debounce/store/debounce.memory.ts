import { LruMap } from '../../store/lru-map';
import {
  LEADER_CLAIM,
  type DebounceClaim,
  type DebounceOutcome,
  type DebouncePort,
} from './debounce.port';

interface DebounceEntry {
  token: string;
  outcome: DebounceOutcome | null;
  waiters: Set<(outcome: DebounceOutcome | null) => void> | null;
}

/**
 * The entry of every claim that nobody follows (a route without `reuse`: its followers only need
 * the time left): one shared object, never changed; the map keeps only such a claim's expiry.
 */
const MARK: DebounceEntry = Object.freeze({
  token: '',
  outcome: null,
  waiters: null,
});

/** One process: every decision is synchronous, so it is atomic by construction. */
export class DebounceMemory implements DebouncePort {
  readonly localKeys = true;
  private readonly entries: LruMap<DebounceEntry>;

  constructor(maxEntries: number) {
    // An evicted live entry wakes its followers with "no response": they answer 208 at once
    // instead of waiting for a leader whose result can no longer be delivered.
    this.entries = new LruMap(maxEntries, (_key, entry) => wake(entry, null), MARK);
  }

  /** Number of live keys (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  claim(key: string, token: string, windowMs: number, follow: boolean): Promise<DebounceClaim> {
    return Promise.resolve(this.claimSync(key, token, windowMs, follow));
  }

  claimSync(
    key: string,
    token: string,
    windowMs: number,
    follow: boolean,
    now = Date.now(),
  ): DebounceClaim {
    const entry = this.entries.get(key, now);
    if (!entry) {
      if (follow) this.entries.add(key, { token, outcome: null, waiters: null }, windowMs, now);
      else this.entries.addShared(key, windowMs, now);
      return LEADER_CLAIM;
    }
    const expiresAt = this.entries.expiresAt(key) ?? now;
    return {
      role: 'follower',
      token: entry.token,
      remainingMs: Math.max(0, expiresAt - now),
      outcome: entry.outcome,
    };
  }

  settle(key: string, token: string, outcome: DebounceOutcome): Promise<void> {
    const entry = this.entries.get(key);
    if (entry && entry !== MARK && entry.token === token) {
      entry.outcome = outcome;
      wake(entry, outcome);
    }
    return Promise.resolve();
  }

  await(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null> {
    const entry = this.entries.get(key);
    if (!entry || entry === MARK || entry.token !== token) return Promise.resolve(null);
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

  clear(): void {
    this.entries.clear();
  }
}

function wake(entry: DebounceEntry, outcome: DebounceOutcome | null): void {
  if (!entry.waiters) return;
  const waiters = [...entry.waiters];
  entry.waiters = null;
  for (const w of waiters) w(outcome);
}
