import type { ProtectionRequest } from '../core/http.types';

/** Options of `@RateLimit()`. */
export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms (sliding). */
  window: number;
  /** Who is counted: the client IP, the client identity, the user id, or a function. @default 'ip' */
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
