import type { ProtectionMode } from '../core/decisions';
import type { StoreErrorPolicy } from '../core/option-reader';
import { availableParallelism } from 'node:os';
import { isAddressOrCidr } from '../core/client-ip';
import { optionKeys, type OptionReader } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';

/** Module-level `overload` options: global in-flight cap, slow-request log, graceful shutdown. */
export interface OverloadModuleOptions {
  /** Requests in flight across the process; `-1` = unlimited. @default max(2000, cores x 300) */
  maxConcurrent?: number;
  /** Responses slower than this are logged at WARN (at most once per route per 5 s). @default 5000 */
  slowMs?: number;
  /** Longest a shutdown waits for requests in flight. @default 20000 */
  drainTimeout?: number;
  /**
   * Ms a client has to send a whole request (headers and body), set on the server only when it
   * has no such deadline (Fastify's default): then Node answers 408 and closes. 0 leaves the
   * server as it is. @default 30000
   */
  requestTimeout?: number;
  /**
   * Per client address (IPv4 address, IPv6 /64): at most `limit` requests per sliding `window`
   * ms, and at most `maxConcurrent` in flight (default max(8, 10 % of `maxConcurrent`), so one
   * client never holds the whole cap; `false` lifts it); `false` = all per-address checks off.
   * @default { limit: 50, window: 1000 }
   */
  perIp?:
    | false
    | {
        limit?: number;
        window?: number;
        maxConcurrent?: number | false;
        /** Store down: `'local'` limits in this process, `'open'` lets requests through, `'closed'` answers 503. @default 'local' */
        onStoreError?: StoreErrorPolicy;
      };
  /** Client IPs or CIDRs exempt from the per-IP checks, matched against the client address after trusted proxies. @default ['127.0.0.1', '::1'] */
  permit?: readonly string[];
  /**
   * `'shadow'`: the cap and the per-IP checks count as usual, report what they would refuse
   * (outcome `shadow`) and admit the request; a shutdown still answers 503. @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** Overload settings after validation. */
export interface ResolvedOverloadOptions {
  readonly maxConcurrent: number;
  readonly slowMs: number;
  readonly drainTimeout: number;
  readonly requestTimeout: number;
  /** null when the per-IP checks are off. */
  readonly perIp: {
    readonly limit: number;
    readonly windowMs: number;
    readonly onStoreError: StoreErrorPolicy;
    readonly maxConcurrent: number | null;
  } | null;
  readonly permit: readonly string[];
  readonly mode: ProtectionMode;
}

const NAMES = 'maxConcurrent slowMs drainTimeout requestTimeout perIp permit mode';
const KEYS = optionKeys<OverloadModuleOptions>()(NAMES);

export const resolveOverloadOptions = sectionResolver(
  'overload',
  KEYS,
  (r: OptionReader, v): ResolvedOverloadOptions => {
    const auto = Math.max(2000, availableParallelism() * 300);
    const maxConcurrent =
      v.maxConcurrent === -1
        ? -1
        : r.int('overload.maxConcurrent', v.maxConcurrent, auto, 1, 1_000_000);
    return Object.freeze({
      maxConcurrent,
      slowMs: r.int('overload.slowMs', v.slowMs, 5000, 1, 3_600_000),
      drainTimeout: r.int('overload.drainTimeout', v.drainTimeout, 20_000, 0, 3_600_000),
      requestTimeout: r.int('overload.requestTimeout', v.requestTimeout, 30_000, 0, 3_600_000),
      perIp: perIp(r, v.perIp, maxConcurrent),
      permit: permit(r, v.permit),
      mode: r.mode('overload.mode', v.mode) ?? 'enforce',
    });
  },
);

function perIp(r: OptionReader, raw: unknown, cap: number): ResolvedOverloadOptions['perIp'] {
  if (raw === false) return null;
  const v = r.object(
    'overload.perIp',
    raw,
    ['limit', 'window', 'maxConcurrent', 'onStoreError'] as const,
    'false or { limit?, window?, maxConcurrent?: number | false, onStoreError? }',
  );
  return Object.freeze({
    limit: r.int('overload.perIp.limit', v.limit, 50, 1, 1_000_000),
    windowMs: r.int('overload.perIp.window', v.window, 1000, 1, 86_400_000),
    onStoreError: r.policy('overload.perIp.onStoreError', v.onStoreError, 'local'),
    // One client's share of the global cap, so a single address (slow bodies, slow reads) can
    // never hold every place: max(8, 10 % of the cap) unless configured; `false` lifts it.
    maxConcurrent:
      v.maxConcurrent === false || (v.maxConcurrent === undefined && cap === -1)
        ? null
        : r.int(
            'overload.perIp.maxConcurrent',
            v.maxConcurrent,
            Math.max(8, Math.ceil(cap / 10)),
            1,
            1_000_000,
          ),
  });
}

function permit(r: OptionReader, raw: unknown): readonly string[] {
  if (raw === undefined) return Object.freeze(['127.0.0.1', '::1']);
  if (!Array.isArray(raw)) r.fail('overload.permit', raw, 'a list of IPs or CIDRs');
  const list: unknown[] = raw;
  if (!list.every(isAddressOrCidr))
    r.fail('overload.permit', raw, 'IPs or CIDRs such as "10.0.0.0/8"');
  return Object.freeze([...list]);
}
