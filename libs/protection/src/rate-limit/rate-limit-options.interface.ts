import type { ProtectionRequest } from '../core/http.types';

/** Options of `@RateLimit()`. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms (sliding). */
  window: number;
  /**
   * Who is counted: `'ip'` the client address key (IPv4 address, IPv6 /64); `'identity'` the
   * authenticated user, else the address key; `'user'` `req.user.id`, else the address key; or
   * a function (its value should be something the client cannot change for free). @default 'ip'
   */
  key?: 'ip' | 'identity' | 'user' | ((req: ProtectionRequest) => string);
  /** Policy name in the RateLimit headers. @default '<limit>-per-<window>ms' */
  name?: string;
}

/** A validated `@RateLimit` policy. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
  readonly key: 'ip' | 'identity' | 'user' | ((req: ProtectionRequest) => string);
  readonly name: string;
}
