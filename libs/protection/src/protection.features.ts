/*
 * The feature registry: one entry per protection (its options resolver, the boot line when it
 * is switched off and how to tell whether the app uses it), and the module options built from
 * the features' own option types. Adding a protection: its folder, one entry here, one option
 * line below, one export in index.ts.
 */
import type { AppMethod } from './core/app-scan';
import type { OptionReader } from './core/option-reader';
import { DebounceMetadata } from './debounce/debounce.metadata';
import { resolveDebounceOptions, type DebounceModuleOptions } from './debounce/debounce.options';
import { doubleKillOf } from './double-kill/double-kill.metadata';
import { resolveDoubleKillOptions, type DoubleKillModuleOptions } from './double-kill/double-kill.options';
import { FirstBloodMetadata } from './first-blood/first-blood.metadata';
import { resolveFirstBloodOptions, type FirstBloodModuleOptions } from './first-blood/first-blood.options';
import type { LoggingModuleOptions } from './logging/logging-options.interface';
import { resolveLoggingOptions } from './logging/logging.options';
import { resolveOverloadOptions, type OverloadModuleOptions } from './overload/overload.options';
import type { PageDefaultOptions } from './page/page-options.interface';
import { resolvePageOptions } from './page/page.options';
import { rateLimitsOf } from './rate-limit/rate-limit.metadata';
import { resolveRateLimitOptions, type RateLimitModuleOptions } from './rate-limit/rate-limit.options';
import { RighterMetadata } from './righter/righter.metadata';
import { resolveRighterOptions, type RighterModuleOptions } from './righter/righter.options';
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
  /** Request/response logging: `{ when(req) => LogCondition | null }`. @default false (off) */
  logging?: false | LoggingModuleOptions;
  /** Global `@PageDefault` defaults; `false` ignores them (built-in defaults apply). @default {} */
  page?: false | PageDefaultOptions;
}

function has(key: string, fn: unknown): boolean {
  return typeof fn === 'function' && Reflect.getMetadata(key, fn) !== undefined;
}

/** A protection as the module sees it. */
export interface Feature<K extends string, R> {
  readonly key: K;
  /** Validates the module option; null when switched off. */
  resolve(r: OptionReader, raw: unknown, base: ResolvedBaseOptions): R | null;
  /** The boot line when switched off. */
  readonly off?: string;
  /** Whether a method of the app uses the feature's decorator (the off line is said only then). */
  used?(m: AppMethod): boolean;
}

function feature<K extends string, R>(f: Feature<K, R>): Feature<K, R> {
  return f;
}

export const FEATURES = [
  feature({
    key: 'debounce',
    resolve: (r, raw, base) => resolveDebounceOptions(r, raw, base),
    off: 'Debounce is switched off: @Debounce routes run undebounced',
    used: (m) => has(DebounceMetadata.KEY, m.fn),
  }),
  feature({
    key: 'terminal',
    resolve: (r, raw) => resolveTerminalOptions(r, raw),
    off: 'Terminal info is switched off: no X-Request-Id echo, TerminalContext.current() is the system context',
  }),
  feature({
    key: 'righter',
    resolve: (r, raw) => resolveRighterOptions(r, raw),
    off: 'Righter is switched off: @Righter commit routes accept any request',
    used: (m) => has(RighterMetadata.KEY, m.fn),
  }),
  feature({
    key: 'firstBlood',
    resolve: (r, raw) => resolveFirstBloodOptions(r, raw),
    off: 'FirstBlood is switched off: @FirstBlood routes run without CAPTCHA',
    used: (m) => has(FirstBloodMetadata.KEY, m.fn),
  }),
  feature({
    key: 'doubleKill',
    resolve: (r, raw) => resolveDoubleKillOptions(r, raw),
    off: 'DoubleKill is switched off: @DoubleKill methods run unlocked',
    used: (m) => doubleKillOf(m.fn) !== undefined,
  }),
  feature({
    key: 'rateLimit',
    resolve: (r, raw) => resolveRateLimitOptions(r, raw),
    off: 'RateLimit is switched off: @RateLimit routes run unlimited',
    used: (m) => m.controller && (rateLimitsOf(m.fn as object).length > 0 || rateLimitsOf(m.type).length > 0),
  }),
  feature({
    key: 'overload',
    resolve: (r, raw) => resolveOverloadOptions(r, raw),
    off: 'Overload protection is switched off: no in-flight cap, slow-request log or graceful drain',
  }),
  feature({ key: 'logging', resolve: (r, raw) => resolveLoggingOptions(r, raw) }),
  feature({ key: 'page', resolve: (r, raw) => resolvePageOptions(r, raw) }),
] as const;

type Features = (typeof FEATURES)[number];
export type FeatureKey = Features['key'];

/** Each feature's validated options (null when switched off). */
export type ResolvedFeatureOptions = {
  readonly [F in Features as F['key']]: F extends Feature<string, infer R> ? R | null : never;
};
