/**
 * Rate-limit algorithms as pure step functions (the memory store) with a Lua twin of exactly the
 * same arithmetic (the Redis store, `../rate-limit-algorithms.lua.ts`). Times are ms; `now`
 * is an integer ms. Any change here must be made there too: the differential e2e test
 * (test/rate-limit-algorithms.e2e-spec.ts) holds both to the same results, step by step.
 */

/**
 * - `gcra`: generic cell rate algorithm (a token bucket): `limit` per `windowMs` on average,
 *   `burst` at once; one number pair of state.
 * - `window`: two-bucket sliding-window counter; two counts of state, approximate (see
 *   window-counter.ts).
 * - `log`: exact sliding log; one entry per counted request (state grows with `limit`).
 */
export type RateLimitAlgorithm = 'gcra' | 'window' | 'log';

export interface AlgorithmPolicy {
  algorithm: RateLimitAlgorithm;
  /** Requests per window: integer 1..1e6. */
  limit: number;
  /** Integer 1 ms..31 days. */
  windowMs: number;
  /** gcra only: requests allowed at once, integer 1..1e6; default `limit`. */
  burst?: number;
}

/**
 * - `hit`: counted in every policy when all have room for the cost, else nowhere.
 * - `check`: the same test, nothing counted (a cost of 0 peeks).
 * - `force`: counted everywhere without a test (a penalty, or a failed request counted after
 *   its response). Always allowed.
 * - `refund`: given back everywhere, never below empty. Always allowed.
 */
export type RateLimitOp = 'hit' | 'check' | 'force' | 'refund';

/** One policy's view after the operation. */
export interface PolicyResult {
  /** Requests of cost 1 that would be allowed right now. */
  remaining: number;
  /** ms until `remaining` grows by at least 1; 0 when it is already full (nothing counted). */
  resetMs: number;
  /**
   * Refused operations only: ms until the same cost fits this policy (0 when it fits now; the
   * window when the cost exceeds what the policy can ever hold). 0 when allowed.
   */
  retryMs: number;
}

export interface AlgorithmDecision {
  allowed: boolean;
  /** In the order of the policies. */
  policies: PolicyResult[];
}

/**
 * gcra: `debt` ms of emission still owed as of the integer ms `at`, i.e. the theoretical arrival
 * time is `at + debt`. Kept as two numbers rather than one absolute time: at today's epoch a
 * double resolves 1/4096 ms, which would round away part of every emission interval
 * (1 µs at 1e6 per second) and refuse exact fits; `debt` alone keeps ~16 significant digits.
 */
export interface GcraState {
  at: number;
  debt: number;
}

/** window: the counts of bucket `i` (`floor(now / windowMs)`) and of the bucket before it. */
export interface WindowState {
  i: number;
  curr: number;
  prev: number;
}

/** log: arrival times, oldest first (equal times repeat, one per unit of cost). */
export type LogState = readonly number[];

export type AlgorithmState = GcraState | WindowState | LogState;

/** What to store for one policy: `state` undefined means delete the key. */
export interface StateWrite<S = AlgorithmState> {
  state: S | undefined;
  /** How long the state matters, in ms (0 when deleting); the store may forget it after. */
  ttlMs: number;
}

/**
 * One algorithm's steps. A stale state (one whose TTL has passed but which a store still holds)
 * reads as empty, so a store's expiry is only housekeeping, never semantics.
 */
export interface AlgorithmSteps<S extends AlgorithmState> {
  /** Whether `state` is this algorithm's shape. */
  owns(state: AlgorithmState): state is S;
  /** The largest cost that can ever fit: `burst` for gcra, `limit` otherwise. */
  capacity(p: AlgorithmPolicy): number;
  /** Room at `now` in requests of cost 1, possibly fractional: cost c fits iff c <= room. */
  room(state: S | undefined, now: number, p: AlgorithmPolicy): number;
  /** Counts `cost` at `now` (no test). */
  count(state: S | undefined, now: number, p: AlgorithmPolicy, cost: number): StateWrite<S>;
  /** Gives `cost` back at `now`, never below empty. */
  refund(state: S | undefined, now: number, p: AlgorithmPolicy, cost: number): StateWrite<S>;
  /** Whole ms from `now` until `units` (<= capacity) fit, the state left as it is. */
  waitMs(state: S | undefined, now: number, p: AlgorithmPolicy, units: number): number;
}

/**
 * Relative tolerance of the float comparisons (gcra: of `burst * T` ms; window: of `limit`
 * requests), so exact fits are not refused by rounding. The Lua script uses the same value.
 */
export const TOLERANCE = 1e-9;

/** Nothing to keep. */
export const DELETE: Readonly<StateWrite<never>> = Object.freeze({ state: undefined, ttlMs: 0 });
