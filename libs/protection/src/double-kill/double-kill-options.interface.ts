/** Options of `@DoubleKill()`. */
export interface DoubleKillOptions {
  /** A static key (wins), or a function of the method's arguments. @default all arguments, serialized */
  key?: string | ((...args: never[]) => unknown);
  /** The current client identity is part of the key (`system` outside a request). @default true */
  principal?: boolean;
  /** A key function result that is null, undefined, empty, or says "null"/"undefined" is an Error. @default true */
  checkNull?: boolean;
  /** Lock lease in ms, renewed every lease/3 while the call runs. @default 30000 */
  lease?: number;
  /** Start the method in the background and answer the caller at once with 202 and the progress key. @default false */
  async?: boolean;
  /** Seconds a progress record stays readable after the call ends. @default 300 */
  progress?: number;
}

/** `@DoubleKill` options after validation. */
export interface DoubleKillMethodOptions {
  readonly key: string | ((...args: unknown[]) => unknown) | undefined;
  readonly principal: boolean;
  readonly checkNull: boolean;
  readonly lease: number;
  readonly async: boolean;
  readonly progress: number;
  /** `<Class>.<method>`, set when the decorator is applied. */
  readonly name: string;
}
