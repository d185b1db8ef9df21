import type { ProtectionMode } from '../core/decisions';

/** Options of `@Debounce()`. Module option `debounce` sets the defaults and the preset answer. */
export interface DebounceOptions {
  /**
   * Window length in ms, counted from the leader's arrival; with `reuse`, also the longest a
   * follower waits. @default module `debounce.waiting` (500)
   */
  waiting?: number;
  /** Followers wait for and receive the leader's response (true) or get 208 at once. @default false */
  reuse?: boolean;
  /** The client identity is part of the key. @default true */
  session?: boolean;
  /** The HTTP method is part of the key. @default true */
  method?: boolean;
  /** The canonical query string (sorted by name, then value) is part of the key. @default true */
  query?: boolean;
  /** These request headers (case-insensitive) are part of the key; absent counts as empty. @default [] */
  header?: readonly string[];
  /** The body is part of the key: JSON by its canonical form (keys sorted), others by bytes. @default false */
  body?: boolean;
  /**
   * With `reuse`: request headers holding credentials; a digest of them is part of the key, so a
   * follower only ever receives a response to a request that carried the same credentials.
   * @default ['authorization', 'cookie']
   */
  credentials?: readonly string[];
  /**
   * `'shadow'`: a duplicate is recognised and reported (outcome `shadow`, reason `DEBOUNCED`)
   * but runs the handler like a leader. @default module `debounce.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** `@Debounce` options after validation; `waiting` stays undefined to follow the module default. */
export interface DebounceRouteOptions {
  readonly waiting: number | undefined;
  readonly reuse: boolean;
  readonly session: boolean;
  readonly method: boolean;
  readonly query: boolean;
  readonly header: readonly string[];
  readonly body: boolean;
  /** Lower case; empty unless `reuse`. */
  readonly credentials: readonly string[];
  /** undefined: the module's `debounce.mode`. */
  readonly mode: ProtectionMode | undefined;
}
