import type { ProtectionMode } from './decisions';
import type { RejectionResponseOptions } from './protection.exception';

// Here, not in store/: core reads the option, and store already depends on core.
/** What a protection does while its store is down: run unprotected, or answer 503. */
/**
 * What a protection does while its store is down: `'open'` lets requests through, `'closed'`
 * answers 503, `'local'` (rate limits only) applies the same rules in this process.
 */
export type StoreErrorPolicy = 'open' | 'closed' | 'local';

/** A wrong module or decorator option: the boot (or the class load) stops with this. */
export class OptionError extends Error {
  override name = 'ProtectionOptionsError';
}

/** How a value reads in a message: strings quoted, objects as JSON, functions by kind. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an object';
    }
  }
  // null, undefined, a number, a boolean, a bigint or a symbol
  return String(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The words of a space-separated list, as a union. */
type Words<S extends string> = S extends `${infer H} ${infer T}` ? H | Words<T> : S;

/**
 * Option names of `T`, written as one space-separated string so a list reads on one line;
 * a name that is not a key of `T` does not compile: `optionKeys<DebounceOptions>()('waiting reuse')`.
 */
export function optionKeys<T>() {
  return <S extends string>(
    names: S & ([Words<S>] extends [keyof T & string] ? unknown : never),
  ): readonly Words<S>[] => Object.freeze(names.split(' ')) as readonly Words<S>[];
}

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const RESPONSE_KEYS = ['status', 'body', 'contentType'] as const;

/**
 * The one vocabulary for options, shared by the module and every decorator, so every message
 * reads `<where>: option "<path>" is <value>; expected <what is allowed>.`
 */
export class OptionReader {
  /** `where`: 'ProtectionModule', '@Debounce', '@DoubleKill on OrdersService.pay', ... */
  constructor(readonly where: string) {}

  fail(path: string, value: unknown, allowed: string): never {
    throw new OptionError(
      `${this.where}: option "${path}" is ${show(value)}; expected ${allowed}.`,
    );
  }

  /** Every key of `value` is one of `known`. */
  keys(path: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const full = path ? `${path}.${key}` : key;
        throw new OptionError(
          `${this.where}: unknown option "${full}"; known options here: ${known.join(', ')}.`,
        );
      }
    }
  }

  /** An options object with known keys only (undefined reads as `{}`). */
  object<K extends string>(
    path: string,
    value: unknown,
    known: readonly K[],
    allowed = 'an options object',
  ): Partial<Record<K, unknown>> {
    if (value === undefined) return {};
    if (!isPlainObject(value)) this.fail(path || '(root)', value, allowed);
    this.keys(path, value, known);
    return value as Partial<Record<K, unknown>>;
  }

  /** A feature section: `false` switches it off (null); `undefined` or `true` is `{}`. */
  section<K extends string>(
    path: string,
    value: unknown,
    known: readonly K[],
  ): Partial<Record<K, unknown>> | null {
    if (value === false) return null;
    return this.object(
      path,
      value === true ? undefined : value,
      known,
      'false or an options object',
    );
  }

  /** A whole number in [min, max], or the default when absent. */
  int(path: string, value: unknown, fallback: number, min = 1, max = 2 ** 31 - 1): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, value, `a whole number from ${min} to ${max}`);
    }
    return value;
  }

  bool(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(path, value, 'true or false');
    return value;
  }

  /** A short name (header, cookie, parameter, prefix). */
  name(path: string, value: unknown, fallback: string, pattern: RegExp = NAME): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !pattern.test(value))
      this.fail(path, value, `a name matching ${pattern}`);
    return value;
  }

  /**
   * Signing secrets: one string or a list (the first signs, all verify), each at least 32
   * characters; null when absent. A bad value is reported hidden, never echoed into a log.
   */
  secrets(path: string, value: unknown): readonly string[] | null {
    if (value === undefined) return null;
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.some((x) => typeof x !== 'string' || x.length < 32))
      this.fail(
        path,
        '(hidden)',
        'a string of at least 32 characters, or a non-empty list of them',
      );
    return Object.freeze([...(list as string[])]);
  }

  /** A string of 1 to `max` characters, or undefined when absent. */
  text(path: string, value: unknown, max: number): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '' || value.length > max)
      this.fail(path, value, `a string of 1 to ${max} characters`);
    return value;
  }

  /** A function, or undefined when absent. */
  fn<T>(path: string, value: unknown, allowed: string): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'function') this.fail(path, value, allowed);
    return value as T;
  }

  /** One of the listed literal values. */
  oneOf<T extends string | boolean>(
    path: string,
    value: unknown,
    allowed: readonly T[],
    fallback: T,
  ): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      const names = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a)));
      this.fail(
        path,
        value,
        names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : String(names[0]),
      );
    }
    return value as T;
  }

  /** What a protection does while the store is down. */
  policy(path: string, value: unknown, fallback: StoreErrorPolicy): StoreErrorPolicy {
    // 'local' needs rules an in-process limiter can apply: rate limits have them.
    const allowed = fallback === 'local' ? LIMIT_POLICIES : OTHER_POLICIES;
    return this.oneOf(path, value, allowed, fallback);
  }

  /** A protection's `mode` (`'enforce'` or `'shadow'`), or undefined when absent. */
  mode(path: string, value: unknown): ProtectionMode | undefined {
    return value === undefined ? undefined : this.oneOf(path, value, MODES, 'enforce');
  }

  /** A `response` replacement (every protection has one). */
  response(path: string, value: unknown): RejectionResponseOptions | undefined {
    if (value === undefined) return undefined;
    const v = this.object(path, value, RESPONSE_KEYS, 'an object { status?, body?, contentType? }');
    const out: RejectionResponseOptions = {};
    if (v.status !== undefined) out.status = this.int(`${path}.status`, v.status, 0, 100, 599);
    if (v.body !== undefined) {
      if (typeof v.body !== 'function' && !isPlainObject(v.body))
        this.fail(`${path}.body`, v.body, 'an object, or a function returning one');
      out.body = v.body as RejectionResponseOptions['body'];
    }
    if (v.contentType !== undefined) {
      if (typeof v.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]*json/.test(v.contentType)) {
        this.fail(
          `${path}.contentType`,
          v.contentType,
          'a JSON media type such as "application/problem+json"',
        );
      }
      out.contentType = v.contentType;
    }
    return Object.freeze(out);
  }

  /** `{ response?, onStoreError?, mode? }`, the options of a protection that has no others. */
  rejection(
    path: string,
    value: unknown,
    policy: StoreErrorPolicy,
  ): ResolvedRejectionOptions | null {
    const v = this.section(path, value, ['response', 'onStoreError', 'mode'] as const);
    if (!v) return null;
    return Object.freeze({
      response: this.response(`${path}.response`, v.response),
      onStoreError: this.policy(`${path}.onStoreError`, v.onStoreError, policy),
      mode: this.mode(`${path}.mode`, v.mode) ?? 'enforce',
    });
  }
}

/** A protection's answer replacement and store-failure policy, validated. */
const LIMIT_POLICIES = ['local', 'open', 'closed'] as const;
const OTHER_POLICIES = ['open', 'closed'] as const;
const MODES = ['enforce', 'shadow'] as const;

export interface ResolvedRejectionOptions {
  readonly response: RejectionResponseOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
  /** The default mode of the protection's routes. */
  readonly mode: ProtectionMode;
}
