/*
 * The feature registry: one entry per protection (its options resolver and how to tell whether
 * the app uses it) and the module options built from the features' own option types. Adding a
 * protection: its folder, one entry here, one option line below, one export in index.ts (and,
 * for a stateful one, its port in the store assembly).
 */
import type { AppMethod } from './core/app-scan';
import type { OptionReader } from './core/option-reader';
import { DebounceMetadata } from './debounce/debounce.metadata';
import { resolveDebounceOptions, type DebounceModuleOptions } from './debounce/debounce.options';
import { doubleKillOf } from './double-kill/double-kill.metadata';
import {
  resolveDoubleKillOptions,
  type DoubleKillModuleOptions,
} from './double-kill/double-kill.options';
import { FirstBloodMetadata } from './first-blood/first-blood.metadata';
import {
  resolveFirstBloodOptions,
  type FirstBloodModuleOptions,
} from './first-blood/first-blood.options';
import type { LoggingModuleOptions } from './logging/logging-options.interface';
import { resolveLoggingOptions } from './logging/logging.options';
import { resolveOverloadOptions, type OverloadModuleOptions } from './overload/overload.options';
import type { PageModuleOptions } from './page/page-options.interface';
import { resolvePageOptions } from './page/page.options';
import { rateLimitsOf } from './rate-limit/rate-limit.metadata';
import {
  resolveRateLimitOptions,
  type RateLimitModuleOptions,
} from './rate-limit/rate-limit.options';
import { RighterMetadata } from './righter/righter.metadata';
import { resolveRighterOptions, type RighterModuleOptions } from './righter/righter.options';
import { SignedMetadata, SignPageMetadata } from './signed/signed.metadata';
import { resolveSignedOptions } from './signed/signed.options';
import type { SignedModuleOptions } from './signed/signed-options.interface';
import { resolveTerminalOptions, type TerminalModuleOptions } from './terminal/terminal.options';
import type { BaseModuleOptions, ResolvedBaseOptions } from './protection-options.base';

/** Options of `ProtectionModule.forRoot()` / `forRootAsync()`. Every protection is on unless `false`. */
export interface ProtectionModuleOptions extends BaseModuleOptions {
  /** `@Debounce` defaults, or `false` to switch it off. @default {} */
  debounce?: false | DebounceModuleOptions;
  /** Terminal info (ip, agent, locale, zone, request id), or `false` to switch it off. @default {} */
  terminal?: false | TerminalModuleOptions;
  /** `@Righter` anti-forgery options, or `false` to switch it off. @default {} */
  righter?: false | RighterModuleOptions;
  /** `@FirstBlood` CAPTCHA options, or `false` to switch it off. @default {} */
  firstBlood?: false | FirstBloodModuleOptions;
  /** `@DoubleKill` options, or `false` to switch it off (decorated methods run unlocked). @default {} */
  doubleKill?: false | DoubleKillModuleOptions;
  /** `@RateLimit` options, or `false` to switch it off (routes run unlimited). @default {} */
  rateLimit?: false | RateLimitModuleOptions;
  /** Global in-flight cap, slow-request log and graceful shutdown, or `false`. @default {} */
  overload?: false | OverloadModuleOptions;
  /** Request/response logging: `{ when(req, route) => LogCondition | null, format?: 'text' | 'json' }`. @default false (off) */
  logging?: false | LoggingModuleOptions;
  /**
   * Global `@PageDefault` defaults (`false` ignores them: built-in defaults apply), and
   * `onStoreError` of the routes' scraping budgets. @default {}
   */
  page?: false | PageModuleOptions;
  /** `@Signed` request signatures (RFC 9421) and `@SignPage` pages, or `false`. @default {} */
  signed?: false | SignedModuleOptions;
}

/** A protection as the module sees it. */
export interface Feature<K extends string, R> {
  readonly key: K;
  /** Validates the module option; null when switched off. */
  resolve(r: OptionReader, raw: unknown, base: ResolvedBaseOptions): R | null;
  /** Whether a method of the app uses the feature's decorator; absent: acts on every request. */
  used?(m: AppMethod): boolean;
}

function feature<K extends string, R>(
  key: K,
  resolve: Feature<K, R>['resolve'],
  used?: (m: AppMethod) => boolean,
): Feature<K, R> {
  return { key, resolve, ...(used ? { used } : {}) };
}

/** The method carries metadata under `key` (a route decorator's mark). */
const marked = (key: string) => (m: AppMethod) =>
  typeof m.fn === 'function' && Reflect.getMetadata(key, m.fn) !== undefined;
const rateLimited = (m: AppMethod): boolean =>
  m.controller && (rateLimitsOf(m.fn as object).length > 0 || rateLimitsOf(m.type).length > 0);

export const FEATURES = [
  feature('debounce', resolveDebounceOptions, marked(DebounceMetadata.KEY)),
  feature('terminal', resolveTerminalOptions),
  feature('righter', resolveRighterOptions, marked(RighterMetadata.KEY)),
  feature('firstBlood', resolveFirstBloodOptions, marked(FirstBloodMetadata.KEY)),
  feature('doubleKill', resolveDoubleKillOptions, (m) => doubleKillOf(m.fn) !== undefined),
  feature('rateLimit', resolveRateLimitOptions, rateLimited),
  feature('overload', resolveOverloadOptions),
  feature('logging', resolveLoggingOptions),
  feature('page', resolvePageOptions),
  feature(
    'signed',
    resolveSignedOptions,
    (m) => marked(SignedMetadata.KEY)(m) || marked(SignPageMetadata.KEY)(m),
  ),
] as const;

type Features = (typeof FEATURES)[number];
export type FeatureKey = Features['key'];

/** Each feature's validated options (null when switched off). */
export type ResolvedFeatureOptions = {
  readonly [F in Features as F['key']]: F extends Feature<string, infer R> ? R | null : never;
};
