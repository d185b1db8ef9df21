/** A response as its client received it, kept so duplicates can be answered with it. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** How a debounce leader ended: with a reusable response, or without one. */
export type DebounceOutcome =
  | { kind: 'response'; response: StoredResponse }
  | { kind: 'failed' };

/** The answer to "who leads this key?". */
export type DebounceClaim =
  | { role: 'leader' }
  | {
      role: 'follower';
      /** The leader's token: a follower only ever takes its own leader's response. */
      token: string;
      /** Time left in the leader's window. */
      remainingMs: number;
      /** Set when the leader has already finished; null while it runs. */
      outcome: DebounceOutcome | null;
    };

/**
 * Where protections keep shared state. Every operation is one atomic step for its purpose
 * (never get-then-set), so two app instances on one Redis decide exactly like one instance.
 * Implementations throw `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface ProtectionStore {
  readonly kind: 'memory' | 'redis';

  /**
   * Makes the caller the leader of `key` for `windowMs` when nobody leads it, else describes
   * the current leader. `follow` registers the caller as a waiter, so the leader's completion
   * is announced.
   */
  debounceClaim(key: string, token: string, windowMs: number, follow: boolean): Promise<DebounceClaim>;

  /** Records the leader's outcome (only if `token` still leads `key`) and wakes its followers. */
  debounceSettle(key: string, token: string, outcome: DebounceOutcome): Promise<void>;

  /**
   * Waits up to `timeoutMs` for the outcome of the leader `token`; null when the window ended
   * first or the key now belongs to another leader. Woken, never polled.
   */
  debounceAwait(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null>;

  /**
   * Returns the secret stored under `name`, storing `candidate` first when there is none, so
   * every instance sharing the store ends up with the same secret.
   */
  sharedSecret(name: string, candidate: string): Promise<string>;

  /** Marks `key` as used for `ttlMs`; true the first time, false on every later call. */
  consumeOnce(key: string, ttlMs: number): Promise<boolean>;

  /** Connects (Redis) and starts listening for wake-ups; never throws for a down backend. */
  init(): Promise<void>;

  /** Releases what the store created (never a client the user passed in). */
  close(): Promise<void>;
}

/** Injection token of the active `ProtectionStore`. */
export const ProtectionStore = Symbol('ProtectionStore');
