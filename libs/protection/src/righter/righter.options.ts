import { OptionReader, type ResolvedRejectionOptions, optionKeys } from '../core/option-reader';
import { sectionResolver } from '../core/option-resolvers';
import type { ProtectionMode } from '../core/decisions';
import type { RejectionResponseOptions } from '../core/protection.exception';
import type { StoreErrorPolicy } from '../store/store-failure.policy';
import type { RighterOptions, RighterRouteOptions } from './righter-options.interface';

/** Module-level `righter` options (anti-forgery tokens). */
export interface RighterModuleOptions {
  /**
   * Secret(s) the tokens are sealed with: the first seals, all open (rotation). Without one a
   * random secret is shared through Redis (Redis store) or made per process (memory store, with
   * a boot warning). At least 32 characters.
   */
  secret?: string | readonly string[];
  /** Token lifetime in seconds. @default 3600 */
  ttl?: number;
  /** Tokens are single-use by default. @default false */
  once?: boolean;
  /** Header carrying the token. @default 'Right-Editor' */
  header?: string;
  /** Replaces the 409 answer. */
  response?: RejectionResponseOptions;
  /** Store down (shared secret, `once`): `'closed'` answers 503, `'open'` skips `once`. @default 'closed' */
  onStoreError?: StoreErrorPolicy;
  /**
   * `'shadow'`: commit routes check tokens as usual, report a forgery (outcome `shadow`) and let
   * the request through; a decorator's own `mode` wins. @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** Righter settings after validation. */
export interface ResolvedRighterOptions extends ResolvedRejectionOptions {
  /** null: no configured secret (shared through the store, or per process). */
  readonly secrets: readonly string[] | null;
  readonly ttl: number;
  readonly once: boolean;
  readonly header: string;
}

const MODULE_KEYS = optionKeys<RighterModuleOptions>()(
  'secret ttl once header response onStoreError mode',
);
const ROUTE_KEYS = optionKeys<RighterOptions>()('edit ttl once scope mode');

export const resolveRighterOptions = sectionResolver(
  'righter',
  MODULE_KEYS,
  (r: OptionReader, v): ResolvedRighterOptions => {
    return Object.freeze({
      secrets: r.secrets('righter.secret', v.secret),
      ttl: r.int('righter.ttl', v.ttl, 3600, 1, 366 * 24 * 3600),
      once: r.bool('righter.once', v.once, false),
      header: r.name('righter.header', v.header, 'Right-Editor'),
      response: r.response('righter.response', v.response),
      onStoreError: r.policy('righter.onStoreError', v.onStoreError, 'closed'),
      mode: r.mode('righter.mode', v.mode) ?? 'enforce',
    });
  },
);

/** `@Righter(...)`: `false` is an edit route, `true` (the default) a commit route. */
export function resolveRighterRoute(options: boolean | RighterOptions): RighterRouteOptions {
  if (typeof options === 'boolean')
    return Object.freeze({
      edit: !options,
      ttl: undefined,
      once: undefined,
      scope: undefined,
      mode: undefined,
    });
  const r = new OptionReader('@Righter');
  const v = r.object('', options, ROUTE_KEYS);
  return Object.freeze({
    edit: r.bool('edit', v.edit, false),
    ttl: v.ttl === undefined ? undefined : r.int('ttl', v.ttl, 0, 1, 366 * 24 * 3600),
    once: v.once === undefined ? undefined : r.bool('once', v.once, false),
    scope: r.text('scope', v.scope, 200),
    mode: r.mode('mode', v.mode),
  });
}
