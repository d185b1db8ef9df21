import { OptionReader, type ResolvedRejectionOptions, optionKeys } from '../core/option-reader';
import type { RejectionResponseOptions } from '../core/protection.exception';
import type { StoreErrorPolicy } from '../store/store-failure.policy';
import type { DoubleKillMethodOptions, DoubleKillOptions } from './double-kill-options.interface';

/** Module-level `doubleKill` options. */
export interface DoubleKillModuleOptions {
  /** Replaces the 202 answer. */
  response?: RejectionResponseOptions;
  /** Store down: `'closed'` answers 503 `STORE_UNAVAILABLE`, `'open'` runs unlocked. @default 'closed' */
  onStoreError?: StoreErrorPolicy;
}

export type ResolvedDoubleKillOptions = ResolvedRejectionOptions;

const ROUTE_KEYS = optionKeys<DoubleKillOptions>()('key principal checkNull lease async progress');

export function resolveDoubleKillOptions(
  r: OptionReader,
  raw: unknown,
): ResolvedDoubleKillOptions | null {
  return r.rejection('doubleKill', raw, 'closed');
}

/** `@DoubleKill` options of `name` (`Class.method`), validated when the class loads. */
export function resolveDoubleKillMethod(
  options: DoubleKillOptions,
  name: string,
): DoubleKillMethodOptions {
  const r = new OptionReader(`@DoubleKill on ${name}`);
  const v = r.object('', options, ROUTE_KEYS);
  const key = v.key;
  if (key !== undefined && typeof key !== 'string' && typeof key !== 'function')
    r.fail('key', key, 'a string or a function of the arguments');
  if (typeof key === 'string') r.text('key', key, 256);
  return Object.freeze({
    key: key as DoubleKillMethodOptions['key'],
    principal: r.bool('principal', v.principal, true),
    checkNull: r.bool('checkNull', v.checkNull, true),
    async: r.bool('async', v.async, false),
    lease: r.int('lease', v.lease, 30_000, 100, 86_400_000),
    progress: r.int('progress', v.progress, 300, 1, 86_400),
    name,
  });
}
