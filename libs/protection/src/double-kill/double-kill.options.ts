import { OptionReader, optionKeys } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';
import type { ResolvedRejectionOptions } from '../core/option-reader';
import type { RejectionModuleOptions } from '../core/option-resolvers';
import type { DoubleKillMethodOptions, DoubleKillOptions } from './double-kill-options.interface';

/** Module-level `doubleKill` options: `onStoreError` defaults to `'closed'` (503 `STORE_UNAVAILABLE`); `'open'` runs unlocked. */
export interface DoubleKillModuleOptions extends RejectionModuleOptions {
  /** `async` jobs running at once in this process; past it a new one gets 503 OVERLOADED. @default 1000 */
  maxBackground?: number;
}
export interface ResolvedDoubleKillOptions extends ResolvedRejectionOptions {
  readonly maxBackground: number;
}
const MODULE_KEYS = optionKeys<DoubleKillModuleOptions>()(
  'response onStoreError maxBackground mode',
);
export const resolveDoubleKillOptions = sectionResolver(
  'doubleKill',
  MODULE_KEYS,
  (r: OptionReader, v): ResolvedDoubleKillOptions =>
    Object.freeze({
      response: r.response('doubleKill.response', v.response),
      onStoreError: r.policy('doubleKill.onStoreError', v.onStoreError, 'closed'),
      maxBackground: r.int('doubleKill.maxBackground', v.maxBackground, 1000, 1, 1_000_000),
      mode: r.mode('doubleKill.mode', v.mode) ?? 'enforce',
    }),
);

const ROUTE_KEYS = optionKeys<DoubleKillOptions>()(
  'key principal checkNull lease async progress keepResult mode',
);

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
    keepResult: r.bool('keepResult', v.keepResult, false),
    mode: r.mode('mode', v.mode),
    name,
  });
}
