import type { TrustProxyOption } from './core/client-ip';
import type { ProtectionRequest } from './core/http.types';
import type { RejectionResponseOptions } from './core/protection.exception';
import type { StoreErrorPolicy } from './store/store-failure.policy';
import type { RedisStoreOptions } from './store/redis-options';

export type { RedisClientLike, RedisConnectionOptions, RedisStoreOptions } from './store/redis-options';
import type { CaptchaRenderer, FirstBloodHandler } from './first-blood/first-blood-options.interface';
import type { PageDefaultOptions } from './page/page-options.interface';
import type { LoggingModuleOptions } from './logging/logging-options.interface';

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

/** Module-level `terminal` options: where locale, zone and request id come from. */
export interface TerminalModuleOptions {
  /** Locale when the request names none. @default 'en' */
  defaultLocale?: string;
  /** IANA zone when the request names none or an unknown one. @default the server's zone */
  defaultZone?: string;
  /** Query parameter read for the locale. @default 'locale' */
  localeQuery?: string;
  /** Cookie read for the locale. @default 'locale' */
  localeCookie?: string;
  /** Query parameter read for the zone. @default 'zoneid' */
  zoneQuery?: string;
  /** Header read for the zone. @default 'Zone-Id' */
  zoneHeader?: string;
  /** Cookie read for the zone. @default 'zoneid' */
  zoneCookie?: string;
  /** Header read for, and echoed with, the request id. @default 'X-Request-Id' */
  requestIdHeader?: string;
}

/** Module-level `righter` options (anti-forgery tokens). */
export interface RighterModuleOptions {
  /**
   * Secret(s) the tokens are sealed with: the first seals, all open (rotation). Without one a
   * random secret is shared through Redis (Redis store) or made per process (memory store, with
   * a boot warning). At least 32 characters.
   */
  secret?: string | readonly string[];
  /** Token lifetime in seconds. @default 3600 */
  ttl?: number;
  /** Tokens are single-use by default. @default false */
  once?: boolean;
  /** Header carrying the token. @default 'Right-Editor' */
  header?: string;
  /** Replaces the 409 answer. */
  response?: RejectionResponseOptions;
  /** Store down (shared secret, `once`): `'closed'` answers 503, `'open'` skips `once`. @default 'closed' */
  onStoreError?: StoreErrorPolicy;
}

/** Module-level `firstBlood` options (CAPTCHA challenge). */
export interface FirstBloodModuleOptions {
  /** Header and cookie carrying the client ticket. @default 'Client-Ticket' */
  ticketName?: string;
  /** Query parameter (or header) asking for an image. @default 'quest-captcha-image' */
  questName?: string;
  /** Query parameter (or header) submitting a code. @default 'check-captcha-image' */
  checkName?: string;
  /** An `Accept` containing this gets the image as a base64 data URL. @default 'base64' */
  base64Accept?: string;
  /** Compare codes case-sensitively. @default false */
  caseSensitive?: boolean;
  /** Code length. @default 4 */
  length?: number;
  /** Images one ticket may fetch per minute; the next gets 429. @default 30 */
  imagesPerMinute?: number;
  /** Replaces the SVG image, e.g. a plain-text rendering for tests. */
  render?: CaptchaRenderer;
  /** Other challenges (hosted CAPTCHA, SMS); the first whose `accepts(scene)` is true decides. */
  handlers?: readonly FirstBloodHandler[];
  /** A .ttf with CJK glyphs: codes then start with one CJK character. */
  font?: string;
  /** Replaces the 406 answer. */
  response?: RejectionResponseOptions;
  /** Store down: `'closed'` answers 503, `'open'` lets requests through. @default 'closed' */
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
  /**
   * Enter every request into AsyncLocalStorage so services can read the request context
   * (`TerminalContext.current()`, `@DoubleKill` principals, `RighterService.allow()`).
   * `'auto'` does so only when the app uses something that needs it; on Node 20 this costs
   * every route about a quarter of its CPU, so it is not on for nothing. @default 'auto'
   */
  asyncContext?: boolean | 'auto';
  /** `@Debounce` defaults, or `false` to switch it off. @default {} */
  debounce?: false | DebounceModuleOptions;
  /** Terminal info (ip, agent, locale, zone, request id), or `false` to switch it off. @default {} */
  terminal?: false | TerminalModuleOptions;
  /**
   * Global `@PageDefault` defaults (page, size, sort, aliases, maxSize, sortable, strict).
   * `false` ignores module defaults: decorators still build a PageQuery from built-in ones.
   * @default {}
   */
  page?: false | PageDefaultOptions;
  /** `@DoubleKill` options, or `false` to switch it off (decorated methods run unlocked). @default {} */
  doubleKill?: false | {
    /** Replaces the 202 answer. */
    response?: RejectionResponseOptions;
    /** Store down: `'closed'` answers 503 `STORE_UNAVAILABLE`, `'open'` runs unlocked. @default 'closed' */
    onStoreError?: StoreErrorPolicy;
  };
  /** Global in-flight cap, slow-request log and graceful shutdown, or `false`. @default {} */
  overload?: false | {
    /** Requests in flight across the process; `-1` = unlimited. @default max(2000, cores x 300) */
    maxConcurrent?: number;
    /** Responses slower than this are logged at WARN (at most once per route per 5 s). @default 5000 */
    slowMs?: number;
    /** Longest a shutdown waits for requests in flight. @default 20000 */
    drainTimeout?: number;
    /** Per client IP: at most `limit` requests per sliding `window` ms, and optionally `maxConcurrent` in flight; `false` = off. @default { limit: 50, window: 1000 } */
    perIp?: false | { limit?: number; window?: number; maxConcurrent?: number };
    /** Client IPs or CIDRs exempt from the per-IP checks. @default ['127.0.0.1', '::1'] */
    permit?: readonly string[];
  };
  /** Request/response logging: `{ when(req) => LogCondition | null }`. @default false (off) */
  logging?: false | LoggingModuleOptions;
  /** `@RateLimit` options, or `false` to switch it off (routes run unlimited). @default {} */
  rateLimit?: false | {
    /** Replaces the 429 answer. */
    response?: RejectionResponseOptions;
    /** Store down: `'open'` lets requests through, `'closed'` answers 503. @default 'open' */
    onStoreError?: StoreErrorPolicy;
  };
  /** `@FirstBlood` CAPTCHA options, or `false` to switch it off. @default {} */
  firstBlood?: false | FirstBloodModuleOptions;
  /** `@Righter` anti-forgery options, or `false` to switch it off. @default {} */
  righter?: false | RighterModuleOptions;
}
