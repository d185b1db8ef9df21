import { requireOptional } from './core/optional-package';
import { CaptchaMemory } from './first-blood/store/captcha.memory';
import type { CaptchaPort } from './first-blood/store/captcha.port';
import { DebounceMemory } from './debounce/store/debounce.memory';
import type { DebouncePort } from './debounce/store/debounce.port';
import { LocksMemory } from './double-kill/store/locks.memory';
import type { LockPort } from './double-kill/store/locks.port';
import type { ResolvedProtectionOptions } from './protection-options.factory';
import { RateLimitMemory } from './store/rate-limit/rate-limit.memory';
import type { RateLimitPort } from './store/rate-limit/rate-limit.port';
import { RecordsMemory } from './store/records.memory';
import type { RecordPort } from './store/records.port';

/**
 * Where protections keep their state: one port per feature. Every port operation is one atomic
 * step for its purpose (never get-then-set), so two app instances sharing a backend decide like
 * one instance. Ports throw `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface ProtectionStore {
  readonly debounce: DebouncePort;
  readonly locks: LockPort;
  readonly captcha: CaptchaPort;
  readonly rateLimit: RateLimitPort;
  readonly records: RecordPort;
  /**
   * True when every instance using the same backend sees the same state (Redis); false when
   * it lives in this process only, so a generated secret is per process (Righter warns).
   */
  readonly shared: boolean;
  /** Connects and starts listening for wake-ups; must not throw for a down backend. */
  init(): Promise<void>;
  /** Releases what the store created (never a client the user passed in). */
  close(): Promise<void>;
}

/** Injection token of the active `ProtectionStore`. */
export const ProtectionStore = Symbol('ProtectionStore');

/** Memory store limits. */
export interface MemoryStoreOptions {
  /** Most debounce keys kept at once; the least recently used go first. @default 100000 */
  debounceMaxEntries?: number;
  /**
   * Bound of each other table (one per purpose: single-use marks, CAPTCHA codes and budgets,
   * rate-limit windows, locks). Live entries are never evicted: a full table refuses new keys
   * (`StoreFullError`). @default 100000
   */
  onceMaxEntries?: number;
}

/** One process, zero setup: every decision is synchronous, so it is atomic by construction. */
export class MemoryStore implements ProtectionStore {
  readonly shared = false;
  readonly debounce: DebounceMemory;
  readonly locks: LocksMemory;
  readonly captcha: CaptchaMemory;
  readonly rateLimit: RateLimitMemory;
  readonly records: RecordsMemory;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.onceMaxEntries ?? 100_000;
    this.debounce = new DebounceMemory(options.debounceMaxEntries ?? 100_000);
    this.locks = new LocksMemory(max);
    this.captcha = new CaptchaMemory(max);
    this.rateLimit = new RateLimitMemory(max);
    this.records = new RecordsMemory(max);
  }

  async init(): Promise<void> {}

  close(): Promise<void> {
    this.debounce.clear();
    this.locks.clear();
    this.captcha.clear();
    this.rateLimit.clear();
    this.records.clear();
    return Promise.resolve();
  }
}

/** Builds the configured store; ioredis is loaded only when a Redis store is configured. */
export function createProtectionStore(options: ResolvedProtectionOptions): ProtectionStore {
  const store = options.store;
  if (store.kind === 'custom') return store.store;
  if (store.kind === 'redis') {
    const { RedisStore } = requireOptional(
      'ioredis',
      'store.redis',
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('./redis.store') as typeof import('./redis.store'),
    );
    return new RedisStore(store.settings);
  }
  return new MemoryStore({
    debounceMaxEntries: options.debounce?.maxEntries ?? options.memory.maxEntries,
    onceMaxEntries: options.memory.maxEntries,
  });
}

/** The operations of each port, for checking a user's store at boot (and timing them). */
export const PORTS = {
  debounce: ['claim', 'settle', 'await'],
  locks: ['acquire', 'renew', 'release'],
  captcha: ['quest', 'check', 'spend'],
  rateLimit: ['apply', 'reset'],
  records: ['consumeOnce', 'put', 'get'],
} as const satisfies { [P in keyof ProtectionStore]?: ReadonlyArray<keyof ProtectionStore[P]> };

/** Members that make an option value a store rather than Redis options. */
export const STORE_MEMBERS: readonly string[] = [...Object.keys(PORTS), 'shared', 'init', 'close'];

/**
 * What is wrong with a user's store, as [option path, its value, what was expected]; null when
 * it has every port and operation.
 */
export function storeProblem(store: Record<string, unknown>): [string, unknown, string] | null {
  for (const [port, ops] of Object.entries(PORTS)) {
    const p = store[port] as Record<string, unknown> | undefined;
    const shape = `an object with ${ops.join(', ')}`;
    if (typeof p !== 'object' || p === null) return [`store.${port}`, p, shape];
    for (const op of ops)
      if (typeof p[op] !== 'function') return [`store.${port}.${op}`, p[op], 'a function'];
  }
  const debounce = store.debounce as Record<string, unknown>;
  if (typeof debounce.localKeys !== 'boolean')
    return ['store.debounce.localKeys', debounce.localKeys, 'true or false'];
  if (debounce.claimSync !== undefined && typeof debounce.claimSync !== 'function') {
    return ['store.debounce.claimSync', debounce.claimSync, 'a function or undefined'];
  }
  const rateLimit = store.rateLimit as Record<string, unknown>;
  if (rateLimit.applySync !== undefined && typeof rateLimit.applySync !== 'function') {
    return ['store.rateLimit.applySync', rateLimit.applySync, 'a function or undefined'];
  }
  if (typeof store.shared !== 'boolean') return ['store.shared', store.shared, 'true or false'];
  for (const m of ['init', 'close'])
    if (typeof store[m] !== 'function') return [`store.${m}`, store[m], 'a function'];
  return null;
}
