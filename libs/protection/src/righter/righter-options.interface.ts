import type { ProtectionMode } from '../core/decisions';

/** Options of `@Righter({...})`; `@Righter(false)` and `@Righter()` are the short forms. */
export interface RighterOptions {
  /** `true` on the read-for-edit route (issues the token), `false` on the commit route. @default false */
  edit?: boolean;
  /** Edit route: token lifetime in seconds. @default module `righter.ttl` (3600) */
  ttl?: number;
  /** Commit route: the token is single-use. @default module `righter.once` (false) */
  once?: boolean;
  /**
   * Names the edit/commit pair when their paths differ (e.g. `GET /users/1/edit` and
   * `PUT /users/1`); the same scope must be set on both. @default the request path
   */
  scope?: string;
  /**
   * Commit route: `'shadow'` reports a request without a valid token (outcome `shadow`, reason
   * `FORGERY`) and runs the handler anyway, with no audit data. @default module `righter.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** `@Righter` options after validation. */
export interface RighterRouteOptions {
  readonly edit: boolean;
  readonly ttl: number | undefined;
  readonly once: boolean | undefined;
  readonly scope: string | undefined;
  readonly mode: ProtectionMode | undefined;
}
