import { compileProxyTrust, type TrustProxyOption } from './core/client-ip';
import type { ProtectionRequest } from './core/http.types';
import type { IdentitySettings } from './core/identity';
import { isPlainObject, type OptionReader, optionKeys } from './core/option-reader';
import { STORE_MEMBERS, storeProblem, type ProtectionStore } from './protection.store';
import type { RedisStoreOptions, RedisStoreSettings } from './store/redis-options';

/** The options every protection shares: where state lives, and who the client is. */
export interface BaseModuleOptions {
  /**
   * `'memory'` (one process), Redis (several instances), or your own `ProtectionStore` (from
   * `nest-protection/store`; the module calls its `init()` and `close()`). @default 'memory'
   */
  store?: 'memory' | RedisStoreOptions | ProtectionStore;
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
}

export const BASE_KEYS = optionKeys<BaseModuleOptions>()(
  'store memory session identity trustProxy asyncContext',
);

/** The shared options after validation. */
export interface ResolvedBaseOptions {
  readonly store:
    | { readonly kind: 'memory' }
    | { readonly kind: 'redis'; readonly settings: RedisStoreSettings }
    | { readonly kind: 'custom'; readonly store: ProtectionStore };
  readonly memory: { readonly maxEntries: number };
  /** Default bound of memory tables (`memory.maxEntries`). */
  readonly memoryMax: number;
  readonly identity: IdentitySettings;
  readonly asyncContext: boolean | 'auto';
}

export function resolveBaseOptions(
  r: OptionReader,
  o: Partial<Record<(typeof BASE_KEYS)[number], unknown>>,
): ResolvedBaseOptions {
  const memory = r.object('memory', o.memory, ['maxEntries'] as const, '{ maxEntries? }');
  const memoryMax = r.int('memory.maxEntries', memory.maxEntries, 100_000);
  const session = r.object(
    'session',
    o.session,
    ['cookie', 'header'] as const,
    '{ cookie?, header? }',
  );
  const custom = r.fn<IdentitySettings['custom']>(
    'identity',
    o.identity,
    'a function (req) => string | null | undefined',
  );
  return Object.freeze({
    store: Object.freeze(storeOption(r, o.store)),
    memory: Object.freeze({ maxEntries: memoryMax }),
    memoryMax,
    identity: Object.freeze({
      sessionCookie: r.name('session.cookie', session.cookie, 'session'),
      sessionHeader: r.name('session.header', session.header, 'session').toLowerCase(),
      trust: compileProxyTrust(trustProxyOption(r, o.trustProxy)),
      ...(custom ? { custom } : {}),
    }),
    asyncContext: r.oneOf('asyncContext', o.asyncContext, [true, false, 'auto'] as const, 'auto'),
  });
}

function storeOption(r: OptionReader, value: unknown): ResolvedBaseOptions['store'] {
  if (value === undefined || value === 'memory') return { kind: 'memory' };
  if (isPlainObject(value) && !('redis' in value) && STORE_MEMBERS.some((m) => m in value)) {
    const problem = storeProblem(value);
    if (problem) r.fail(...problem);
    return { kind: 'custom', store: value as unknown as ProtectionStore };
  }
  const v = r.object(
    'store',
    value,
    ['redis', 'prefix', 'commandTimeout'] as const,
    `'memory' or { redis, prefix?, commandTimeout? }, or a ProtectionStore`,
  );
  const redis = v.redis;
  if (typeof redis === 'string') {
    if (!/^rediss?:\/\//.test(redis)) r.fail('store.redis', redis, 'a redis:// or rediss:// URL');
  } else if (!isPlainObject(redis)) {
    r.fail('store.redis', redis, 'an ioredis client, a redis:// URL, or ioredis options');
  }
  return {
    kind: 'redis',
    settings: Object.freeze({
      redis,
      prefix: r.name('store.prefix', v.prefix, 'np'),
      commandTimeout: r.int('store.commandTimeout', v.commandTimeout, 500, 1, 60_000),
    }),
  };
}

function trustProxyOption(r: OptionReader, value: unknown): TrustProxyOption | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') return r.int('trustProxy', value, 0, 0, 32);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    try {
      compileProxyTrust(value);
    } catch {
      r.fail('trustProxy', value, 'IP addresses or CIDRs such as "10.0.0.0/8"');
    }
    return value;
  }
  r.fail('trustProxy', value, 'true, false, a hop count, or a list of addresses/CIDRs');
}
