import { isAddressOrCidr } from '../core/ip-address';
import {
  isPlainObject,
  OptionReader,
  optionKeys,
  type ResolvedRejectionOptions,
} from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';
import type {
  SignedAllow,
  SignedKeyResolver,
  SignedModuleOptions,
  SignedOptions,
  SignedRoute,
} from './signed-options.interface';

/** Signing settings after validation. */
export interface ResolvedSignedOptions extends ResolvedRejectionOptions {
  /** Service keys: a table (key id -> secrets) or the app's resolver; null: none configured. */
  readonly keys: ReadonlyMap<string, readonly string[]> | SignedKeyResolver | null;
  readonly window: number;
  readonly clockSkew: number;
  readonly allow: readonly SignedAllow[];
  readonly maxBodyBytes: number;
  readonly cookie: string;
  readonly scriptPath: string;
  readonly pageTtl: number;
}

/** Key ids of the keys a `@SignPage()` page gets: never a service key's. */
export const PAGE_KEY_PREFIX = 'page.';

const MODULE_KEYS = optionKeys<SignedModuleOptions>()(
  'keys window clockSkew allow maxBodyBytes browser response onStoreError mode',
);
const BROWSER_KEYS =
  optionKeys<NonNullable<SignedModuleOptions['browser']>>()('cookie scriptPath ttl');
const ROUTE_KEYS = optionKeys<SignedOptions>()('browser allow mode');
const KEY_ID = /^[\w.:@/+-]{1,128}$/;
const SCRIPT_PATH = /^\/[\w./-]{0,200}$/;

export const resolveSignedOptions = sectionResolver(
  'signed',
  MODULE_KEYS,
  (r: OptionReader, v): ResolvedSignedOptions => {
    const browser = r.object('signed.browser', v.browser, BROWSER_KEYS);
    return Object.freeze({
      keys: readKeys(r, v.keys),
      window: r.int('signed.window', v.window, 300, 1, 24 * 3600),
      clockSkew: r.int('signed.clockSkew', v.clockSkew, 5, 0, 3600),
      allow: readAllow(r, 'signed.allow', v.allow) ?? [],
      maxBodyBytes: r.int('signed.maxBodyBytes', v.maxBodyBytes, 1 << 20, 0, 1 << 30),
      cookie: r.name('signed.browser.cookie', browser.cookie, 'np_sign'),
      scriptPath: r.name(
        'signed.browser.scriptPath',
        browser.scriptPath,
        '/protection/sign.js',
        SCRIPT_PATH,
      ),
      pageTtl: r.int('signed.browser.ttl', browser.ttl, 3600, 60, 7 * 24 * 3600),
      response: r.response('signed.response', v.response),
      onStoreError: r.policy('signed.onStoreError', v.onStoreError, 'closed'),
      mode: r.mode('signed.mode', v.mode) ?? 'enforce',
    });
  },
);

/** `@Signed(...)` options, checked when the decorator is applied. */
export function resolveSignedRoute(options: SignedOptions): SignedRoute {
  const r = new OptionReader('@Signed');
  const v = r.object('', options, ROUTE_KEYS);
  return Object.freeze({
    browser: r.bool('browser', v.browser, false),
    allow: readAllow(r, 'allow', v.allow),
    mode: r.mode('mode', v.mode),
  });
}

function readKeys(r: OptionReader, value: unknown): ResolvedSignedOptions['keys'] {
  if (value === undefined) return null;
  if (typeof value === 'function') return value as SignedKeyResolver;
  const expected = 'an object { keyid: secret | secret[] } or a function (keyid) => secret(s)';
  if (!isPlainObject(value)) r.fail('signed.keys', value, expected);
  const table = new Map<string, readonly string[]>();
  for (const [keyid, secrets] of Object.entries(value)) {
    if (!KEY_ID.test(keyid) || keyid.startsWith(PAGE_KEY_PREFIX))
      r.fail(
        `signed.keys`,
        keyid,
        `key ids of 1 to 128 characters [A-Za-z0-9_.:@/+-], not starting with "${PAGE_KEY_PREFIX}" (page keys use it)`,
      );
    const list = r.secrets(`signed.keys.${keyid}`, secrets);
    if (list) table.set(keyid, list);
  }
  return table;
}

function readAllow(
  r: OptionReader,
  path: string,
  value: unknown,
): readonly SignedAllow[] | undefined {
  if (value === undefined) return undefined;
  const expected = "a list of addresses, CIDRs ('10.0.0.0/8') and { keyid: '...' } entries";
  if (!Array.isArray(value)) r.fail(path, value, expected);
  return Object.freeze(
    value.map((entry: unknown, i): SignedAllow => {
      if (isAddressOrCidr(entry)) return entry;
      if (isPlainObject(entry) && typeof entry.keyid === 'string' && KEY_ID.test(entry.keyid))
        return Object.freeze({ keyid: entry.keyid });
      return r.fail(`${path}[${i}]`, entry, expected);
    }),
  );
}
