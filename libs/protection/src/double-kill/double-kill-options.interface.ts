import type { ProtectionMode } from '../core/decisions';

/** Options of `@DoubleKill()`. */
export interface DoubleKillOptions {
  /** A static key (wins), or a function of the method's arguments. @default all arguments, serialized */
  key?: string | ((...args: never[]) => unknown);
  /** The current client identity is part of the key (`system` outside a request). @default true */
  principal?: boolean;
  /**
   * A key function result that is `null` or `undefined` rejects the call with
   * `DoubleKillKeyException` (400 `DOUBLE_KILL_NULL_KEY`) instead of locking every such call
   * under one key. Only those two values: a string such as `'annulled'` is a key like any other.
   * @default true
   */
  checkNull?: boolean;
  /** Lock lease in ms, renewed every lease/3 while the call runs. @default 30000 */
  lease?: number;
  /** Start the method in the background and answer the caller at once with 202 and the progress key. @default false */
  async?: boolean;
  /** Seconds a progress record stays readable after the call ends. @default 300 */
  progress?: number;
  /**
   * Keep the method's return value (as JSON) in the progress record as `result`, for the
   * client that started the call to fetch. Off by default: a record then holds only
   * `done`, `percent`, timestamps and the error message.
   * @default false
   */
  keepResult?: boolean;
  /**
   * `'shadow'`: a call whose key is running is reported (outcome `shadow`, reason
   * `DOUBLE_KILLED`) and runs anyway, without the lock (`DoubleKillContext.fencingToken()` is 0).
   * @default module `doubleKill.mode` ('enforce')
   */
  mode?: ProtectionMode;
}

/** `@DoubleKill` options after validation. */
export interface DoubleKillMethodOptions {
  readonly key: string | ((...args: unknown[]) => unknown) | undefined;
  readonly principal: boolean;
  readonly checkNull: boolean;
  readonly lease: number;
  readonly async: boolean;
  readonly progress: number;
  readonly keepResult: boolean;
  /** undefined: the module's `doubleKill.mode`. */
  readonly mode: ProtectionMode | undefined;
  /** `<Class>.<method>`, set when the decorator is applied. */
  readonly name: string;
}
