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

/** The one leader claim (no allocation per decision). */
export const LEADER_CLAIM: DebounceClaim = Object.freeze({ role: 'leader' });

/** Outcome of a CAPTCHA image request. */
export interface CaptchaQuestResult {
  /** `same`: the guess equals the live code (pre-check); `new`: a new code was stored; `limited`: too many images. */
  result: 'same' | 'new' | 'limited';
  /** With `limited`: ms until the image budget refills. */
  retryAfterMs: number;
}

/** Outcome of submitting a CAPTCHA code: `ok` consumes it; `void` and `expired` drop it. */
export type CaptchaCheckResult = 'ok' | 'wrong' | 'void' | 'expired' | 'none';

/** One CAPTCHA challenge, per (ticket, route). Codes are compared as given (normalize first). */
export interface CaptchaQuest {
  ticket: string;
  route: string;
  /** The client's guess ('' for none). */
  guess: string;
  /** The code to store when the guess does not match the live one. */
  code: string;
  /** How long the code is valid (`blood`). */
  codeTtlMs: number;
  /** Wrong answers that void the code (`retry`). */
  retries: number;
  /** Images allowed per ticket per minute. */
  imagesPerMinute: number;
  /** The challenge state lives this long after its last change. */
  stateTtlMs: number;
}

/** The answer to "may I run?" for a business lock. */
export type LockAcquisition =
  | { acquired: true; fencingToken: number }
  | { acquired: false; elapsedMs: number };

/** One rate-limit policy as the store counts it. */
export interface RateLimitPolicy {
  name: string;
  limit: number;
  windowMs: number;
}

/** A rate-limit decision: allowed (and counted) only when every policy has room. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Per policy, in order: requests left in the window, and ms until the window has room again. */
  policies: Array<{ remaining: number; resetMs: number }>;
}

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

  /**
   * `debounceClaim` without a promise, where the store can decide in-process (memory). `now` is
   * the caller's clock reading (`Date.now()`), so a decision reads the clock once.
   */
  debounceClaimSync?(key: string, token: string, windowMs: number, follow: boolean, now: number): DebounceClaim;

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

  /**
   * A CAPTCHA image request: counts it against the ticket's per-minute budget, then either
   * confirms the guess equals the live code or stores `code` as the new one.
   */
  captchaQuest(quest: CaptchaQuest): Promise<CaptchaQuestResult>;

  /**
   * Submits a guess for (ticket, route): a match consumes the code; a miss uses one retry and
   * voids the code when none is left; an expired code is dropped.
   */
  captchaCheck(ticket: string, route: string, guess: string, stateTtlMs: number): Promise<CaptchaCheckResult>;

  /**
   * Takes `key` for `owner` for `leaseMs` unless someone holds it; a new holder also gets the
   * next fencing token of the key. A refusal says how long the holder has run.
   */
  lockAcquire(key: string, owner: string, leaseMs: number): Promise<LockAcquisition>;

  /** Extends the lease, only if `owner` still holds `key` (compare-and-pexpire). */
  lockRenew(key: string, owner: string, leaseMs: number): Promise<boolean>;

  /** Releases `key`, only if `owner` holds it (compare-and-delete). */
  lockRelease(key: string, owner: string): Promise<boolean>;

  /** Writes a progress record (JSON) for `ttlMs`. */
  progressPut(key: string, record: string, ttlMs: number): Promise<void>;

  /** Reads a progress record, or null. */
  progressGet(key: string): Promise<string | null>;

  /**
   * Sliding-log rate limit for `client`: counts this request (`member`, unique) in every policy
   * when all have room, else counts nothing. One atomic step.
   */
  rateLimitHit(client: string, policies: readonly RateLimitPolicy[], member: string): Promise<RateLimitDecision>;

  /** Connects (Redis) and starts listening for wake-ups; never throws for a down backend. */
  init(): Promise<void>;

  /** Releases what the store created (never a client the user passed in). */
  close(): Promise<void>;
}

/** Injection token of the active `ProtectionStore`. */
export const ProtectionStore = Symbol('ProtectionStore');
