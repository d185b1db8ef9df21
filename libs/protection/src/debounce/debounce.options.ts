import { OptionReader, type ResolvedRejectionOptions, optionKeys } from '../core/option-reader';
import type { ProtectionMode } from '../core/decisions';
import type { RejectionResponseOptions } from '../core/protection.exception';
import type { StoreErrorPolicy } from '../store/store-failure.policy';
import type { DebounceOptions, DebounceRouteOptions } from './debounce-options.interface';

/** Module-level `debounce` options: defaults for every `@Debounce` route. */
export interface DebounceModuleOptions {
  /** Default window in ms. @default 500 */
  waiting?: number;
  /** Most debounce keys the memory store keeps (LRU). @default memory.maxEntries (100000) */
  maxEntries?: number;
  /** Largest response body kept for reuse; larger ones are not stored. @default 1048576 */
  maxBodyBytes?: number;
  /** Replaces the preset 208 answer (status, body, content type). */
  response?: RejectionResponseOptions;
  /** While the store is down: `'open'` runs the request undebounced, `'closed'` answers 503. @default 'open' */
  onStoreError?: StoreErrorPolicy;
  /**
   * `'shadow'`: `@Debounce` routes decide and count as usual, report what they would refuse (outcome
   * `shadow`) and let the request through; a decorator's own `mode` wins. @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** Debounce defaults after validation. */
export interface ResolvedDebounceOptions extends ResolvedRejectionOptions {
  readonly waiting: number;
  readonly maxEntries: number;
  readonly maxBodyBytes: number;
}

const MODULE_KEYS = optionKeys<DebounceModuleOptions>()(
  'waiting maxEntries maxBodyBytes response onStoreError mode',
);
const ROUTE_KEYS = optionKeys<DebounceOptions>()(
  'waiting reuse session method query header body credentials mode',
);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function resolveDebounceOptions(
  r: OptionReader,
  raw: unknown,
  base: { memoryMax: number },
): ResolvedDebounceOptions | null {
  const v = r.section('debounce', raw, MODULE_KEYS);
  if (!v) return null;
  return Object.freeze({
    waiting: r.int('debounce.waiting', v.waiting, 500, 1, 3_600_000),
    maxEntries: r.int('debounce.maxEntries', v.maxEntries, base.memoryMax),
    maxBodyBytes: r.int('debounce.maxBodyBytes', v.maxBodyBytes, 1024 * 1024, 0, 64 * 1024 * 1024),
    response: r.response('debounce.response', v.response),
    onStoreError: r.policy('debounce.onStoreError', v.onStoreError, 'open'),
    mode: r.mode('debounce.mode', v.mode) ?? 'enforce',
  });
}

/** `@Debounce` options, validated when the class loads; `waiting` stays undefined to follow the module. */
export function resolveDebounceRoute(options: DebounceOptions): DebounceRouteOptions {
  const r = new OptionReader('@Debounce');
  const v = r.object('', options, ROUTE_KEYS);
  const headers = (path: 'header' | 'credentials', fallback: string[]): readonly string[] => {
    const list = v[path] ?? fallback;
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h)))
      r.fail(path, list, 'a list of header names');
    return Object.freeze((list as string[]).map((h) => h.toLowerCase()));
  };
  const reuse = r.bool('reuse', v.reuse, false);
  const credentials = headers('credentials', ['authorization', 'cookie']);
  return Object.freeze({
    waiting: v.waiting === undefined ? undefined : r.int('waiting', v.waiting, 0, 1, 3_600_000),
    reuse,
    session: r.bool('session', v.session, true),
    method: r.bool('method', v.method, true),
    query: r.bool('query', v.query, true),
    header: headers('header', []),
    body: r.bool('body', v.body, false),
    credentials: reuse ? credentials : Object.freeze([]),
    mode: r.mode('mode', v.mode),
  });
}
