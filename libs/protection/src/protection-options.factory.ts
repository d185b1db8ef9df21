import { compileProxyTrust, type TrustProxyOption } from './core/client-ip';
import type { IdentitySettings } from './core/identity';
import type { RejectionResponseOptions } from './core/protection.exception';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { CaptchaRenderer, FirstBloodHandler } from './first-blood/first-blood-options.interface';
import type {
  FirstBloodModuleOptions,
  DebounceModuleOptions,
  ProtectionModuleOptions,
  RighterModuleOptions,
  TerminalModuleOptions,
} from './protection-options.interface';
import type { PageDefaultOptions } from './page/page-options.interface';
import type { LoggingModuleOptions } from './logging/logging-options.interface';
import { validatePageOptions } from './page/page-options.validate';
import { canonicalLocale } from './terminal/locale';
import { matchTimeZone, serverTimeZone } from './terminal/timezone';
import { messages } from './protection.messages';
import type { RedisStoreOptions, RedisStoreSettings } from './store/redis-options';
import type { StoreErrorPolicy } from './store/store-failure.policy';

/** Debounce defaults after validation. */
export interface ResolvedDebounceOptions {
  readonly waiting: number;
  readonly maxEntries: number;
  readonly maxBodyBytes: number;
  readonly response: RejectionResponseOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
}

/** Terminal settings after validation; header names are lower case. */
export interface ResolvedTerminalOptions {
  readonly defaultLocale: string;
  readonly defaultZone: string;
  readonly localeQuery: string;
  readonly localeCookie: string;
  readonly zoneQuery: string;
  readonly zoneHeader: string;
  readonly zoneCookie: string;
  readonly requestIdHeader: string;
}

/** FirstBlood settings after validation; names as configured (headers matched case-insensitively). */
export interface ResolvedFirstBloodOptions {
  readonly ticketName: string;
  readonly questName: string;
  readonly checkName: string;
  readonly base64Accept: string;
  readonly caseSensitive: boolean;
  readonly length: number;
  readonly imagesPerMinute: number;
  readonly render: CaptchaRenderer | undefined;
  readonly handlers: readonly FirstBloodHandler[];
  readonly font: string | undefined;
  readonly response: RejectionResponseOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
}

/** Righter settings after validation. */
export interface ResolvedRighterOptions {
  /** null: no configured secret (shared through Redis, or per process). */
  readonly secrets: readonly string[] | null;
  readonly ttl: number;
  readonly once: boolean;
  readonly header: string;
  readonly response: RejectionResponseOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
}

/** The options every part of the library reads: validated, defaulted and frozen. */
export interface ResolvedProtectionOptions {
  readonly store: { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly settings: RedisStoreSettings };
  readonly memory: { readonly maxEntries: number };
  readonly identity: IdentitySettings;
  readonly asyncContext: boolean | 'auto';
  /** null when switched off. */
  readonly debounce: ResolvedDebounceOptions | null;
  /** null when switched off. */
  readonly terminal: ResolvedTerminalOptions | null;
  /** null when switched off. */
  readonly righter: ResolvedRighterOptions | null;
  /** null when switched off. */
  readonly firstBlood: ResolvedFirstBloodOptions | null;
  /** null when switched off. */
  readonly doubleKill: { readonly response: RejectionResponseOptions | undefined; readonly onStoreError: StoreErrorPolicy } | null;
  /** null when switched off. */
  readonly rateLimit: { readonly response: RejectionResponseOptions | undefined; readonly onStoreError: StoreErrorPolicy } | null;
  /** null when switched off. */
  readonly overload: {
    readonly maxConcurrent: number;
    readonly slowMs: number;
    readonly drainTimeout: number;
    /** null when the per-IP checks are off. */
    readonly perIp: { readonly limit: number; readonly windowMs: number; readonly maxConcurrent: number | null } | null;
    readonly permit: readonly string[];
  } | null;
  /** null when off (the default). */
  readonly logging: LoggingModuleOptions | null;
  /** Module-level page defaults; null when `page: false`. */
  readonly page: PageDefaultOptions | null;
}

const ROOT_KEYS = [
  'store',
  'memory',
  'session',
  'identity',
  'trustProxy',
  'asyncContext',
  'debounce',
  'terminal',
  'righter',
  'firstBlood',
  'page',
  'doubleKill',
  'rateLimit',
  'overload',
  'logging',
] as const;
const FIRST_BLOOD_KEYS = [
  'ticketName',
  'questName',
  'checkName',
  'base64Accept',
  'caseSensitive',
  'length',
  'imagesPerMinute',
  'render',
  'handlers',
  'font',
  'response',
  'onStoreError',
] as const;
const TERMINAL_KEYS = [
  'defaultLocale',
  'defaultZone',
  'localeQuery',
  'localeCookie',
  'zoneQuery',
  'zoneHeader',
  'zoneCookie',
  'requestIdHeader',
] as const;
const RIGHTER_KEYS = ['secret', 'ttl', 'once', 'header', 'response', 'onStoreError'] as const;
const DEBOUNCE_KEYS = ['waiting', 'maxEntries', 'maxBodyBytes', 'response', 'onStoreError'] as const;
const RESPONSE_KEYS = ['status', 'body', 'contentType'] as const;
const REDIS_KEYS = ['redis', 'prefix', 'commandTimeout'] as const;

class OptionError extends Error {
  override name = 'ProtectionOptionsError';
}

function fail(path: string, value: unknown, allowed: string): never {
  throw new OptionError(messages.invalidOption(path, value, allowed));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new OptionError(messages.unknownOption(path ? `${path}.${key}` : key, known));
  }
}

/** A whole number in [min, max], or the default when absent. */
export function intOption(path: string, value: unknown, fallback: number, min = 1, max = 2 ** 31 - 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, value, `a whole number from ${min} to ${max}`);
  }
  return value;
}

function stringOption(path: string, value: unknown, fallback: string, pattern = /^[A-Za-z0-9_.:-]{1,64}$/): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, value, `a name matching ${pattern}`);
  return value;
}

function policyOption(path: string, value: unknown, fallback: StoreErrorPolicy): StoreErrorPolicy {
  if (value === undefined) return fallback;
  if (value !== 'open' && value !== 'closed') fail(path, value, `'open' or 'closed'`);
  return value;
}

/** Validates a `response` replacement (shared by every protection). */
export function responseOption(path: string, value: unknown): RejectionResponseOptions | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail(path, value, 'an object { status?, body?, contentType? }');
  checkKeys(path, value, RESPONSE_KEYS);
  const out: RejectionResponseOptions = {};
  if (value.status !== undefined) out.status = intOption(`${path}.status`, value.status, 0, 100, 599);
  if (value.body !== undefined) {
    const b = value.body;
    if (typeof b !== 'function' && !isPlainObject(b)) {
      fail(`${path}.body`, b, 'an object, or a function returning one');
    }
    out.body = b as RejectionResponseOptions['body'];
  }
  if (value.contentType !== undefined) {
    if (typeof value.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]*json/.test(value.contentType)) {
      fail(`${path}.contentType`, value.contentType, 'a JSON media type such as "application/problem+json"');
    }
    out.contentType = value.contentType;
  }
  return Object.freeze(out);
}

function trustProxyOption(value: unknown): TrustProxyOption | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') return intOption('trustProxy', value, 0, 0, 32);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    try {
      compileProxyTrust(value as string[]);
    } catch {
      fail('trustProxy', value, 'IP addresses or CIDRs such as "10.0.0.0/8"');
    }
    return value as string[];
  }
  fail('trustProxy', value, 'true, false, a hop count, or a list of addresses/CIDRs');
}

function storeOption(value: unknown): ResolvedProtectionOptions['store'] {
  if (value === undefined || value === 'memory') return { kind: 'memory' };
  if (!isPlainObject(value)) fail('store', value, `'memory' or { redis, prefix?, commandTimeout? }`);
  checkKeys('store', value, REDIS_KEYS);
  const v = value as unknown as RedisStoreOptions;
  const redis = v.redis as unknown;
  const isClient = isPlainObject(redis) && typeof redis.defineCommand === 'function';
  if (typeof redis === 'string') {
    if (!/^rediss?:\/\//.test(redis)) fail('store.redis', redis, 'a redis:// or rediss:// URL');
  } else if (!isPlainObject(redis) && !isClient) {
    fail('store.redis', redis, 'an ioredis client, a redis:// URL, or ioredis options');
  }
  return {
    kind: 'redis',
    settings: Object.freeze({
      redis: v.redis,
      prefix: stringOption('store.prefix', v.prefix, 'np'),
      commandTimeout: intOption('store.commandTimeout', v.commandTimeout, 500, 1, 60_000),
    }),
  };
}

function debounceOption(value: unknown, memoryMax: number): ResolvedDebounceOptions | null {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail('debounce', value, 'false or an options object');
  checkKeys('debounce', value, DEBOUNCE_KEYS);
  const v = value as DebounceModuleOptions;
  return Object.freeze({
    waiting: intOption('debounce.waiting', v.waiting, 500, 1, 3_600_000),
    maxEntries: intOption('debounce.maxEntries', v.maxEntries, memoryMax),
    maxBodyBytes: intOption('debounce.maxBodyBytes', v.maxBodyBytes, 1024 * 1024, 0, 64 * 1024 * 1024),
    response: responseOption('debounce.response', v.response),
    onStoreError: policyOption('debounce.onStoreError', v.onStoreError, 'open'),
  });
}

function asyncContextOption(value: unknown): boolean | 'auto' {
  if (value === undefined) return 'auto';
  if (value !== true && value !== false && value !== 'auto') fail('asyncContext', value, `true, false or 'auto'`);
  return value;
}

function terminalOption(value: unknown): ResolvedTerminalOptions | null {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail('terminal', value, 'false or an options object');
  checkKeys('terminal', value, TERMINAL_KEYS);
  const v = value as TerminalModuleOptions;
  let defaultLocale = 'en';
  if (v.defaultLocale !== undefined) {
    const tag = typeof v.defaultLocale === 'string' ? canonicalLocale(v.defaultLocale) : undefined;
    if (!tag) fail('terminal.defaultLocale', v.defaultLocale, 'a locale tag such as "en-US"');
    defaultLocale = tag;
  }
  let defaultZone = serverTimeZone();
  if (v.defaultZone !== undefined) {
    const zone = typeof v.defaultZone === 'string' ? matchTimeZone(v.defaultZone) : undefined;
    if (!zone) fail('terminal.defaultZone', v.defaultZone, 'an IANA time zone such as "Europe/Paris"');
    defaultZone = zone;
  }
  return Object.freeze({
    defaultLocale,
    defaultZone,
    localeQuery: stringOption('terminal.localeQuery', v.localeQuery, 'locale'),
    localeCookie: stringOption('terminal.localeCookie', v.localeCookie, 'locale'),
    zoneQuery: stringOption('terminal.zoneQuery', v.zoneQuery, 'zoneid'),
    zoneHeader: stringOption('terminal.zoneHeader', v.zoneHeader, 'Zone-Id').toLowerCase(),
    zoneCookie: stringOption('terminal.zoneCookie', v.zoneCookie, 'zoneid'),
    requestIdHeader: stringOption('terminal.requestIdHeader', v.requestIdHeader, 'X-Request-Id').toLowerCase(),
  });
}

function loggingOption(value: unknown): LoggingModuleOptions | null {
  if (value === undefined || value === false) return null;
  if (!isPlainObject(value)) fail('logging', value, 'false or { when(req) => LogCondition | null }');
  checkKeys('logging', value, ['when']);
  if (typeof value.when !== 'function') fail('logging.when', value.when, 'a function (req) => LogCondition | null');
  return Object.freeze({ when: value.when as LoggingModuleOptions['when'] });
}

function overloadOption(value: unknown): ResolvedProtectionOptions['overload'] {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail('overload', value, 'false or an options object');
  checkKeys('overload', value, ['maxConcurrent', 'slowMs', 'drainTimeout', 'perIp', 'permit']);
  const auto = Math.max(2000, availableParallelism() * 300);
  const max = value.maxConcurrent === -1 ? -1 : intOption('overload.maxConcurrent', value.maxConcurrent, auto, 1, 1_000_000);
  return Object.freeze({
    maxConcurrent: max,
    slowMs: intOption('overload.slowMs', value.slowMs, 5000, 1, 3_600_000),
    drainTimeout: intOption('overload.drainTimeout', value.drainTimeout, 20_000, 0, 3_600_000),
    perIp: perIpOption(value.perIp),
    permit: permitOption(value.permit),
  });
}

function perIpOption(value: unknown): NonNullable<ResolvedProtectionOptions['overload']>['perIp'] {
  if (value === false) return null;
  if (value === undefined) value = {};
  if (!isPlainObject(value)) fail('overload.perIp', value, 'false or { limit?, window?, maxConcurrent? }');
  checkKeys('overload.perIp', value, ['limit', 'window', 'maxConcurrent']);
  return Object.freeze({
    limit: intOption('overload.perIp.limit', value.limit, 50, 1, 1_000_000),
    windowMs: intOption('overload.perIp.window', value.window, 1000, 1, 86_400_000),
    maxConcurrent: value.maxConcurrent === undefined ? null : intOption('overload.perIp.maxConcurrent', value.maxConcurrent, 0, 1, 1_000_000),
  });
}

function permitOption(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze(['127.0.0.1', '::1']);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail('overload.permit', value, 'a list of IPs or CIDRs');
  try {
    compileProxyTrust(value as string[]);
  } catch {
    fail('overload.permit', value, 'IPs or CIDRs such as "10.0.0.0/8"');
  }
  return Object.freeze([...(value as string[])]);
}

/** A protection whose only options are `response` and `onStoreError`. */
function responsePolicyOption(
  name: string,
  value: unknown,
  defaultPolicy: StoreErrorPolicy,
): { readonly response: RejectionResponseOptions | undefined; readonly onStoreError: StoreErrorPolicy } | null {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail(name, value, 'false or an options object');
  checkKeys(name, value, ['response', 'onStoreError']);
  return Object.freeze({
    response: responseOption(`${name}.response`, value.response),
    onStoreError: policyOption(`${name}.onStoreError`, value.onStoreError, defaultPolicy),
  });
}

function pageOption(value: unknown): PageDefaultOptions | null {
  if (value === false) return null;
  try {
    return Object.freeze({ ...validatePageOptions('ProtectionModule', value) });
  } catch (err) {
    // Same words as every other option message, with the "page." path.
    throw new OptionError((err as Error).message.replace(/option "/, 'option "page.'));
  }
}

function firstBloodOption(value: unknown): ResolvedFirstBloodOptions | null {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail('firstBlood', value, 'false or an options object');
  checkKeys('firstBlood', value, FIRST_BLOOD_KEYS);
  const v = value as FirstBloodModuleOptions;
  if (v.caseSensitive !== undefined && typeof v.caseSensitive !== 'boolean') {
    fail('firstBlood.caseSensitive', v.caseSensitive, 'true or false');
  }
  if (v.render !== undefined && typeof v.render !== 'function') {
    fail('firstBlood.render', v.render, 'a function (code) => { contentType, body }');
  }
  const handlers = v.handlers ?? [];
  const isHandler = (h: unknown): boolean =>
    typeof h === 'object' && h !== null && typeof (h as FirstBloodHandler).accepts === 'function' && typeof (h as FirstBloodHandler).handle === 'function';
  if (!Array.isArray(handlers) || !handlers.every(isHandler)) {
    fail('firstBlood.handlers', handlers, 'a list of { accepts(scene), handle(ctx) } objects');
  }
  if (v.font !== undefined && (typeof v.font !== 'string' || !existsSync(v.font))) {
    fail('firstBlood.font', v.font, 'the path of an existing .ttf file with CJK glyphs');
  }
  return Object.freeze({
    ticketName: stringOption('firstBlood.ticketName', v.ticketName, 'Client-Ticket'),
    questName: stringOption('firstBlood.questName', v.questName, 'quest-captcha-image'),
    checkName: stringOption('firstBlood.checkName', v.checkName, 'check-captcha-image'),
    base64Accept: stringOption('firstBlood.base64Accept', v.base64Accept, 'base64'),
    caseSensitive: v.caseSensitive ?? false,
    length: intOption('firstBlood.length', v.length, 4, 1, 12),
    imagesPerMinute: intOption('firstBlood.imagesPerMinute', v.imagesPerMinute, 30, 1, 10_000),
    render: v.render,
    handlers: Object.freeze([...handlers]),
    font: v.font,
    response: responseOption('firstBlood.response', v.response),
    onStoreError: policyOption('firstBlood.onStoreError', v.onStoreError, 'closed'),
  });
}

function righterOption(value: unknown): ResolvedRighterOptions | null {
  if (value === false) return null;
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) fail('righter', value, 'false or an options object');
  checkKeys('righter', value, RIGHTER_KEYS);
  const v = value as RighterModuleOptions;
  let secrets: string[] | null = null;
  if (v.secret !== undefined) {
    const list: unknown[] = Array.isArray(v.secret) ? v.secret : [v.secret];
    if (list.length === 0 || list.some((x) => typeof x !== 'string' || x.length < 32)) {
      fail('righter.secret', '(hidden)', 'a string of at least 32 characters, or a non-empty list of them');
    }
    secrets = list as string[];
  }
  if (v.once !== undefined && typeof v.once !== 'boolean') fail('righter.once', v.once, 'true or false');
  return Object.freeze({
    secrets: secrets ? Object.freeze(secrets) : null,
    ttl: intOption('righter.ttl', v.ttl, 3600, 1, 366 * 24 * 3600),
    once: v.once ?? false,
    header: stringOption('righter.header', v.header, 'Right-Editor'),
    response: responseOption('righter.response', v.response),
    onStoreError: policyOption('righter.onStoreError', v.onStoreError, 'closed'),
  });
}

/**
 * The only reader of the raw options: validates every field, fills defaults, freezes.
 * A wrong option fails the boot with a message naming the option, its value and what is allowed.
 */
export function resolveProtectionOptions(raw: ProtectionModuleOptions | undefined): ResolvedProtectionOptions {
  const options: unknown = raw ?? {};
  if (!isPlainObject(options)) fail('(root)', options, 'an options object');
  checkKeys('', options, ROOT_KEYS);
  const o = options as ProtectionModuleOptions;

  let memoryMax = 100_000;
  if (o.memory !== undefined) {
    if (!isPlainObject(o.memory)) fail('memory', o.memory, '{ maxEntries? }');
    checkKeys('memory', o.memory, ['maxEntries']);
    memoryMax = intOption('memory.maxEntries', o.memory.maxEntries, memoryMax);
  }
  if (o.session !== undefined) {
    if (!isPlainObject(o.session)) fail('session', o.session, '{ cookie?, header? }');
    checkKeys('session', o.session, ['cookie', 'header']);
  }
  if (o.identity !== undefined && typeof o.identity !== 'function') {
    fail('identity', o.identity, 'a function (req) => string | null | undefined');
  }
  const identity: IdentitySettings = Object.freeze({
    sessionCookie: stringOption('session.cookie', o.session?.cookie, 'session'),
    sessionHeader: stringOption('session.header', o.session?.header, 'session').toLowerCase(),
    trust: compileProxyTrust(trustProxyOption(o.trustProxy)),
    ...(o.identity ? { custom: o.identity } : {}),
  });

  return Object.freeze({
    store: Object.freeze(storeOption(o.store)),
    memory: Object.freeze({ maxEntries: memoryMax }),
    identity,
    asyncContext: asyncContextOption(o.asyncContext),
    debounce: debounceOption(o.debounce, memoryMax),
    terminal: terminalOption(o.terminal),
    righter: righterOption(o.righter),
    firstBlood: firstBloodOption(o.firstBlood),
    page: pageOption(o.page),
    doubleKill: responsePolicyOption('doubleKill', o.doubleKill, 'closed'),
    rateLimit: responsePolicyOption('rateLimit', o.rateLimit, 'open'),
    overload: overloadOption(o.overload),
    logging: loggingOption(o.logging),
  });
}
