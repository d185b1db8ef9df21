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
 * Sliding-log rate limits (`@RateLimit`, the per-IP overload check). Implementations throw
 * `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface RateLimitPort {
  /**
   * Counts this request (`member`, unique) for `client` in every policy when all have room,
   * else counts nothing. One atomic step.
   */
  hit(
    client: string,
    policies: readonly RateLimitPolicy[],
    member: string,
  ): Promise<RateLimitDecision>;
}
