import type { RateLimitAlgorithm } from './algorithms';

/** One rate-limit policy as the store counts it (values already worked out for the request). */
export interface RateLimitPolicy {
  /** The budget's name: one state per (client, name, algorithm). */
  name: string;
  algorithm: RateLimitAlgorithm;
  limit: number;
  windowMs: number;
  /** `'gcra'`: units allowed at once (the bucket's size); the others ignore it. */
  burst: number;
}

/**
 * What a decision does: `'hit'` counts `cost` in every policy when all have room (else nothing);
 * `'check'` only tests for room; `'force'` counts without testing; `'refund'` gives `cost` back.
 */
export type RateLimitOp = 'hit' | 'check' | 'force' | 'refund';

/** One policy's state after a decision. */
export interface RateLimitPolicyState {
  /** Requests of cost 1 that would be allowed now. */
  remaining: number;
  /** Ms until `remaining` grows (0 when nothing is counted). */
  resetMs: number;
  /** Refused: ms until the same cost fits this policy (0 when it has room). */
  retryMs: number;
}

/** A decision: allowed only when every policy had room (always, for `'force'` and `'refund'`). */
export interface RateLimitDecision {
  allowed: boolean;
  /** Per policy, in order. */
  policies: RateLimitPolicyState[];
}

/**
 * Rate-limit state (`@RateLimit`, the per-IP overload check, `RateLimitService`).
 * Implementations throw `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface RateLimitPort {
  /** One atomic step over every policy of `client`. */
  apply(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
  ): Promise<RateLimitDecision>;
  /**
   * `apply` answered synchronously, for a store that needs no round trip (the memory store):
   * the guard then decides without a promise. Throws what `apply` rejects with.
   */
  applySync?(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
  ): RateLimitDecision;
  /** Forgets `client`'s state under these policies. */
  reset(client: string, policies: readonly RateLimitPolicy[]): Promise<void>;
}
