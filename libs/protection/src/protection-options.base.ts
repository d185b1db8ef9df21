import { randomBytes } from 'node:crypto';
import { readTrustProxy, type TrustProxyOption } from './core/client-ip';
import { DecisionObserver } from './core/decision-observer';
import type { ProtectionDecisionListener } from './core/decisions';
import type { ProtectionRequest } from './core/http.types';
import type { IdentitySettings } from './core/identity';
import { SignedIds } from './core/signed-ids';
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
  /**
   * The module secret: signs the sessions the library issues (`ProtectionSession`), CAPTCHA
   * tickets and, unless `righter.secret` is set, `@Righter` tokens. One string or a list (the
   * first signs, all verify: rotation), each at least 32 characters. Required with a Redis or
   * other shared store (it is never written to the store); with the memory store a random
   * per-process secret stands in.
   */
  secret?: string | readonly string[];
  /** Where a library-issued session is read from (cookie first, then header). */
  session?: {
    /** Cookie name. @default 'session' */
    cookie?: string;
    /** Header name. @default 'session' */
    header?: string;
  };
  /**
   * The authenticated user, when `req.user.id` is not where your auth puts it; return
   * null/undefined for an anonymous request (then a library-issued session, else the client
   * address and User-Agent identify the client).
   */
  identity?: (req: ProtectionRequest) => string | null | undefined;
  /**
   * Which socket peers are proxies whose forwarding header names the client: `true`, `false`,
   * a hop count, addresses/CIDRs, or `{ proxies, header }` to read `x-real-ip` or RFC 7239
   * `forwarded` instead of `x-forwarded-for`. @default loopback only
   */
  trustProxy?: TrustProxyOption;
  /** IPv6 clients are counted by this prefix length (48 to 128). @default 64 */
  ipv6Subnet?: number;
  /**
   * Enter every request into AsyncLocalStorage so services can read the request context
   * (`TerminalContext.current()`, `@DoubleKill` principals, `RighterService.allow()`).
   * `'auto'` does so only when the app uses something that needs it; on Node 20 this costs
   * every route about a quarter of its CPU, so it is not on for nothing. @default 'auto'
   */
  asyncContext?: boolean | 'auto';
  /**
   * Record the protections' decisions, store calls and requests in flight to OpenTelemetry
   * (meter `nest-protection`) when `@opentelemetry/api` is installed and the app registered an
   * SDK before the module started; `false` never records. @default true
   */
  metrics?: boolean;
  /**
   * Called synchronously with every decision of a protection (route pattern, outcome, client
   * address key, kind of identity, refusal code). An error it throws is logged (at most every
   * 10 s) and never fails the request. Unset, no decision object is built.
   */
  onDecision?: ProtectionDecisionListener;
}

export const BASE_KEYS = optionKeys<BaseModuleOptions>()(
  'store memory secret session identity trustProxy ipv6Subnet asyncContext metrics onDecision',
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
  /** The module secret(s): configured, else one random secret of this process. */
  readonly secrets: readonly string[];
  /** False when `secrets` is the per-process stand-in. */
  readonly secretConfigured: boolean;
  readonly asyncContext: boolean | 'auto';
  /** Where decisions are reported (metrics, `onDecision`); started with the module. */
  readonly decisions: DecisionObserver;
}

/** One random secret per process: what signs when none is configured (memory store only). */
const PROCESS_SECRETS: readonly string[] = Object.freeze([randomBytes(32).toString('base64url')]);
const SECRET_REQUIRED =
  'a string of at least 32 characters with a Redis or other shared store: every instance must ' +
  'sign sessions, CAPTCHA tickets and @Righter tokens alike, and no secret is kept in the store. ' +
  `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

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
  const store = storeOption(r, o.store);
  const configured = r.secrets('secret', o.secret);
  const shared = store.kind === 'redis' || (store.kind === 'custom' && store.store.shared);
  if (shared && !configured) r.fail('secret', undefined, SECRET_REQUIRED);
  const secrets = configured ?? PROCESS_SECRETS;
  const onDecision = r.fn<ProtectionDecisionListener>(
    'onDecision',
    o.onDecision,
    'a function (decision) => void',
  );
  const identity: IdentitySettings = Object.freeze({
    sessionCookie: r.name('session.cookie', session.cookie, 'session'),
    sessionHeader: r.name('session.header', session.header, 'session').toLowerCase(),
    sessions: new SignedIds(secrets, 'session'),
    trust: readTrustProxy(r, o.trustProxy),
    ipv6Subnet: r.int('ipv6Subnet', o.ipv6Subnet, 64, 48, 128),
    ...(custom ? { custom } : {}),
  });
  return Object.freeze({
    store: Object.freeze(store),
    secrets,
    secretConfigured: configured !== null,
    memory: Object.freeze({ maxEntries: memoryMax }),
    memoryMax,
    identity,
    asyncContext: r.oneOf('asyncContext', o.asyncContext, [true, false, 'auto'] as const, 'auto'),
    decisions: new DecisionObserver(onDecision, identity, r.bool('metrics', o.metrics, true)),
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
    if (!/^rediss?(\+sentinel)?:\/\//.test(redis))
      r.fail('store.redis', redis, 'a redis://, rediss:// or redis+sentinel:// URL');
  } else if (!isPlainObject(redis)) {
    r.fail('store.redis', redis, 'an ioredis client, a redis:// URL, or ioredis options');
  } else if ('cluster' in redis && typeof redis.defineCommand !== 'function') {
    const nodes = redis.cluster;
    if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every(isClusterNode))
      r.fail('store.redis.cluster', nodes, "a non-empty list of 'host:port' or { host, port }");
  }
  if (typeof v.prefix === 'string' && /[{}]/.test(v.prefix)) {
    r.fail(
      'store.prefix',
      v.prefix,
      'a prefix without { or } (Redis Cluster hashes a key by the part in braces: every key would land on one slot)',
    );
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

function isClusterNode(node: unknown): boolean {
  if (typeof node === 'string') return /^[^\s:]+:\d{1,5}$/.test(node);
  return isPlainObject(node) && typeof node.host === 'string' && Number.isInteger(node.port);
}
