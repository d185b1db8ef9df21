import type { StoredResponse } from '../../store/response.codec';

export type { StoredResponse };

/** How a debounce leader ended: with a reusable response, or without one. */
export type DebounceOutcome = { kind: 'response'; response: StoredResponse } | { kind: 'failed' };

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

/**
 * Debounce state: who leads a key, and the leader's outcome for its followers. Every operation
 * is one atomic step, so instances sharing the backend decide as one. Implementations throw
 * `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface DebouncePort {
  /**
   * True when keys never leave this process: the guard then passes the raw key material when
   * short (cheaper than a hash), else the hashed `<path>|<sha256>` form.
   */
  readonly localKeys: boolean;

  /**
   * Makes the caller the leader of `key` for `windowMs` when nobody leads it, else describes
   * the current leader. `follow` registers the caller as a waiter, so the leader's completion
   * is announced.
   */
  claim(key: string, token: string, windowMs: number, follow: boolean): Promise<DebounceClaim>;

  /**
   * `claim` without a promise, where the port decides in-process. `now` is the caller's clock
   * reading (`Date.now()`), so a decision reads the clock once.
   */
  claimSync?(
    key: string,
    token: string,
    windowMs: number,
    follow: boolean,
    now: number,
  ): DebounceClaim;

  /** Records the leader's outcome (only if `token` still leads `key`) and wakes its followers. */
  settle(key: string, token: string, outcome: DebounceOutcome): Promise<void>;

  /**
   * Waits up to `timeoutMs` for the outcome of the leader `token`; null when the window ended
   * first or the key now belongs to another leader. Woken, never polled.
   */
  await(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null>;
}
