import type { ProtectionMode } from '../core/decisions';
import type { ProtectionRequest } from '../core/http.types';

import type { RateLimitAlgorithm } from '../store/rate-limit/algorithms';

export type { RateLimitAlgorithm };

/** Which answers a rule counts: by the status the response ends with. */
export type RateLimitCount = 'all' | 'failed' | 'succeeded';

/** A number fixed on the rule, or worked out per request (plans, tiers). */
export type PerRequest<T> = T | ((req: ProtectionRequest) => T);

/** Options of `@RateLimit()`. */
export interface RateLimitOptions {
  /** Requests (cost units) allowed per window, 1 to 1,000,000; or a function of the request. */
  limit: PerRequest<number>;
  /** Window length in ms; or a function of the request. */
  window: PerRequest<number>;
  /**
   * Who is counted: `'ip'` the client address key (IPv4 address, IPv6 /64); `'identity'` the
   * authenticated user, else the address key; `'user'` `req.user.id`, else the address key; or
   * a function (its value should be something the client cannot change for free). @default 'ip'
   */
  key?: 'ip' | 'identity' | 'user' | ((req: ProtectionRequest) => string);
  /**
   * Policy name in the RateLimit headers, and the budget's name: rules of the same name share
   * one budget per client, across routes. @default '<limit>-per-<window>ms'
   */
  name?: string;
  /**
   * @default the module's `rateLimit.algorithm`, else `'gcra'` above 100 requests per window (or
   * when `limit` is a function) and `'log'` up to 100.
   */
  algorithm?: RateLimitAlgorithm;
  /** `'gcra'` only: requests allowed at once, 1 to 1,000,000. @default limit */
  burst?: number;
  /** Units one request uses, 0 to 1,000,000; or a function of the request. @default 1 */
  cost?: PerRequest<number>;
  /**
   * `'failed'`: only answers with status >= 400 count (a login: failed attempts); `'succeeded'`:
   * only status < 400. A request takes its place before the handler (so a client over the limit
   * is refused before it runs, however many it sends at once) and gives it back when its answer
   * is not one that counts. @default 'all'
   */
  count?: RateLimitCount;
  /**
   * `'shadow'`: the rule counts as usual (in a store step of its own, so its refusal never
   * refuses the route's other rules); a request over it is reported (outcome `shadow`, reason
   * `TOO_MANY_REQUESTS`) and runs the handler. @default module `rateLimit.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** A validated `@RateLimit` rule. */
export interface RateLimitRule {
  readonly name: string;
  readonly key: 'ip' | 'identity' | 'user' | ((req: ProtectionRequest) => string);
  readonly limit: PerRequest<number>;
  readonly windowMs: PerRequest<number>;
  /** Undefined: the module default decides (see `RateLimitOptions.algorithm`). */
  readonly algorithm: RateLimitAlgorithm | undefined;
  readonly burst: number | undefined;
  readonly cost: PerRequest<number>;
  readonly count: RateLimitCount;
  /** undefined: the module's `rateLimit.mode`. */
  readonly mode: ProtectionMode | undefined;
}
