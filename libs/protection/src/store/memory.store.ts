import { LruMap } from './lru-map';
import type {
  RateLimitDecision,
  RateLimitPolicy,
  LockAcquisition,
  CaptchaCheckResult,
  CaptchaQuest,
  CaptchaQuestResult,
  DebounceClaim,
  DebounceOutcome,
  ProtectionStore,
} from './protection-store.interface';
import { LEADER_CLAIM } from './protection-store.interface';

/** Memory store limits. */
export interface MemoryStoreOptions {
  /** Most debounce keys kept at once; the least recently used go first. @default 100000 */
  debounceMaxEntries: number;
  /** Most single-use marks (e.g. `once` tokens) kept at once. @default 100000 */
  onceMaxEntries: number;
}

interface CaptchaState {
  code: string;
  expiresAt: number;
  retries: number;
}

interface DebounceEntry {
  token: string;
  outcome: DebounceOutcome | null;
  waiters: Set<(outcome: DebounceOutcome | null) => void> | null;
}

/**
 * The entry of every claim that nobody follows (a route without `reuse`: its followers only need
 * the time left): one shared object, never changed; the map keeps only such a claim's expiry.
 */
const MARK: DebounceEntry = Object.freeze({ token: '', outcome: null, waiters: null }) as DebounceEntry;

/** One process, zero setup: every decision is synchronous, so it is atomic by construction. */
export class MemoryStore implements ProtectionStore {
  readonly kind = 'memory' as const;
  private readonly debounce: LruMap<DebounceEntry>;
  private readonly used: LruMap<true>;
  private readonly captchas: LruMap<CaptchaState>;
  private readonly images: LruMap<{ count: number; resetAt: number }>;
  // Held locks are never evicted by size (their number is bounded by the calls running now);
  // an expired lease is dropped when the key is next touched.
  private readonly locks = new Map<string, { owner: string; expiresAt: number; startedAt: number }>();
  private readonly fencing: LruMap<number>;
  private readonly progress: LruMap<string>;
  /** Per (client, policy): the arrival times inside the window, oldest first (at most `limit`). */
  private readonly hits: LruMap<number[]>;
  private readonly secrets = new Map<string, string>();

  constructor(options: MemoryStoreOptions) {
    // An evicted live entry wakes its followers with "no response": they answer 208 at once
    // instead of waiting for a leader whose result can no longer be delivered.
    this.debounce = new LruMap(options.debounceMaxEntries, (_key, entry) => wake(entry, null), MARK);
    this.used = new LruMap(options.onceMaxEntries);
    this.captchas = new LruMap(options.onceMaxEntries);
    this.images = new LruMap(options.onceMaxEntries);
    this.fencing = new LruMap(options.onceMaxEntries);
    this.progress = new LruMap(options.onceMaxEntries);
    this.hits = new LruMap(options.onceMaxEntries);
  }

  /** Number of live debounce keys (for tests and diagnostics). */
  get debounceSize(): number {
    return this.debounce.size;
  }

  async init(): Promise<void> {}

  async debounceClaim(key: string, token: string, windowMs: number, follow: boolean): Promise<DebounceClaim> {
    return this.debounceClaimSync(key, token, windowMs, follow);
  }

  debounceClaimSync(key: string, token: string, windowMs: number, follow: boolean, now = Date.now()): DebounceClaim {
    const entry = this.debounce.get(key, now);
    if (!entry) {
      if (follow) this.debounce.add(key, { token, outcome: null, waiters: null }, windowMs, now);
      else this.debounce.addShared(key, windowMs, now);
      return LEADER_CLAIM;
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
    if (!entry || entry === MARK || entry.token !== token) return;
    entry.outcome = outcome;
    wake(entry, outcome);
  }

  debounceAwait(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null> {
    const entry = this.debounce.get(key);
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

  async captchaQuest(q: CaptchaQuest): Promise<CaptchaQuestResult> {
    const now = Date.now();
    let budget = this.images.get(q.ticket, now);
    if (!budget) {
      budget = { count: 0, resetAt: now + 60_000 };
      this.images.set(q.ticket, budget, 60_000, now);
    }
    if (++budget.count > q.imagesPerMinute) return { result: 'limited', retryAfterMs: budget.resetAt - now };
    const key = q.ticket + '|' + q.route;
    const state = this.captchas.get(key, now);
    if (q.guess !== '' && state && state.code === q.guess && state.expiresAt > now) {
      return { result: 'same', retryAfterMs: 0 };
    }
    this.captchas.set(key, { code: q.code, expiresAt: now + q.codeTtlMs, retries: q.retries }, q.stateTtlMs, now);
    return { result: 'new', retryAfterMs: 0 };
  }

  async captchaCheck(ticket: string, route: string, guess: string, stateTtlMs: number): Promise<CaptchaCheckResult> {
    const key = ticket + '|' + route;
    const now = Date.now();
    const state = this.captchas.get(key, now);
    if (!state) return 'none';
    if (state.expiresAt <= now) {
      this.captchas.delete(key);
      return 'expired';
    }
    if (state.code === guess) {
      this.captchas.delete(key);
      return 'ok';
    }
    if (--state.retries <= 0) {
      this.captchas.delete(key);
      return 'void';
    }
    this.captchas.set(key, state, stateTtlMs, now);
    return 'wrong';
  }

  async lockAcquire(key: string, owner: string, leaseMs: number): Promise<LockAcquisition> {
    const now = Date.now();
    const held = this.locks.get(key);
    if (held && held.expiresAt > now) return { acquired: false, elapsedMs: now - held.startedAt };
    this.locks.set(key, { owner, expiresAt: now + leaseMs, startedAt: now });
    const fencingToken = (this.fencing.get(key, now) ?? 0) + 1;
    this.fencing.set(key, fencingToken, 30 * 86_400_000, now);
    return { acquired: true, fencingToken };
  }

  async lockRenew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const held = this.locks.get(key);
    if (!held || held.owner !== owner || held.expiresAt <= Date.now()) return false;
    held.expiresAt = Date.now() + leaseMs;
    return true;
  }

  async lockRelease(key: string, owner: string): Promise<boolean> {
    const held = this.locks.get(key);
    if (!held || held.owner !== owner) return false;
    this.locks.delete(key);
    return true;
  }

  async progressPut(key: string, record: string, ttlMs: number): Promise<void> {
    this.progress.set(key, record, ttlMs);
  }

  async progressGet(key: string): Promise<string | null> {
    return this.progress.get(key) ?? null;
  }

  async rateLimitHit(client: string, policies: readonly RateLimitPolicy[], _member: string): Promise<RateLimitDecision> {
    const now = Date.now();
    const logs = policies.map((p) => {
      const key = client + '\0' + p.name;
      const log = this.hits.get(key, now) ?? [];
      while (log.length > 0 && (log[0] as number) <= now - p.windowMs) log.shift();
      return { key, log };
    });
    const allowed = policies.every((p, i) => (logs[i]?.log.length ?? 0) < p.limit);
    return {
      allowed,
      policies: policies.map((p, i) => {
        const { key, log } = logs[i] as { key: string; log: number[] };
        if (allowed) {
          log.push(now);
          this.hits.set(key, log, p.windowMs, now);
        }
        return {
          remaining: Math.max(0, p.limit - log.length),
          // The window frees a place when its oldest hit leaves it.
          resetMs: log.length > 0 ? (log[0] as number) + p.windowMs - now : p.windowMs,
        };
      }),
    };
  }

  async close(): Promise<void> {
    this.hits.clear();
    this.locks.clear();
    this.debounce.clear();
    this.used.clear();
    this.captchas.clear();
    this.images.clear();
  }
}

function wake(entry: DebounceEntry, outcome: DebounceOutcome | null): void {
  if (!entry.waiters) return;
  const waiters = [...entry.waiters];
  entry.waiters = null;
  for (const w of waiters) w(outcome);
}
