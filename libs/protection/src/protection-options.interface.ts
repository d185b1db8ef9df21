import type { Redis, RedisOptions } from 'ioredis';
import type { TrustProxyOption } from './core/client-ip';
import type { ProtectionRequest } from './core/http.types';
import type { RejectionResponseOptions } from './core/protection.exception';
import type { StoreErrorPolicy } from './store/store-failure.policy';

/** Redis as the shared store: every app instance using it decides as one. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (used as is, never closed by the module), a `redis://` URL, or ioredis
   * options for a client the module creates and closes on shutdown.
   */
  redis: Redis | string | RedisOptions;
  /** Prefix of every key and pub/sub channel. @default 'np' */
  prefix?: string;
  /**
   * Longest a store command may take before the protection treats Redis as down and follows
   * its `onStoreError` policy. @default 500
   */
  commandTimeout?: number;
}

/** Module-level `debounce` options: defaults for every `@Debounce` route. */
export interface DebounceModuleOptions {
  /** Default window in ms. @default 500 */
  waiting?: number;
  /** Most debounce keys the memory store keeps (LRU). @default 100000 */
  maxEntries?: number;
  /** Largest response body kept for reuse; larger ones are not stored. @default 1048576 */
  maxBodyBytes?: number;
  /** Replaces the preset 208 answer (status, body, content type). */
  response?: RejectionResponseOptions;
  /** While the store is down: `'open'` runs the request undebounced, `'closed'` answers 503. @default 'open' */
  onStoreError?: StoreErrorPolicy;
}

/** Options of `ProtectionModule.forRoot()` / `forRootAsync()`. */
export interface ProtectionModuleOptions {
  /** `'memory'` (one process) or Redis (several instances). @default 'memory' */
  store?: 'memory' | RedisStoreOptions;
  /** Memory store bounds. */
  memory?: {
    /** Default bound of every memory-store table. @default 100000 */
    maxEntries?: number;
  };
  /** Where the session id is read from, for the client identity. */
  session?: {
    /** Cookie name. @default 'session' */
    cookie?: string;
    /** Header name. @default 'session' */
    header?: string;
  };
  /**
   * Custom client identity; return null/undefined to fall back to session, user id, then a
   * hash of IP and User-Agent.
   */
  identity?: (req: ProtectionRequest) => string | null | undefined;
  /**
   * Which socket peers may set the client IP through `X-Real-IP` / `X-Forwarded-For`: `true`,
   * a hop count, or addresses/CIDRs. @default loopback and private ranges
   */
  trustProxy?: TrustProxyOption;
  /** `@Debounce` defaults, or `false` to switch it off. @default {} */
  debounce?: false | DebounceModuleOptions;
}
