import type { DoubleKillMethodOptions } from './double-kill-options.interface';

const MAX_DEPTH = 16;

/** Thrown when a call's arguments cannot stand for a key: the developer must set `key`. */
export class UnserializableKeyError extends Error {}

/**
 * A stable serialisation (object keys sorted) of plain data: primitives, arrays, plain objects,
 * dates. Anything else (a request, a socket, a function, a cycle) cannot be a key.
 */
export function stableKey(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new UnserializableKeyError('nested too deeply');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (Array.isArray(value))
        return '[' + value.map((v) => stableKey(v, depth + 1)).join(',') + ']';
      if (value instanceof Date) return `Date(${value.toISOString()})`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new UnserializableKeyError(`an instance of ${value.constructor?.name ?? 'a class'}`);
      }
      const o = value as Record<string, unknown>;
      return (
        '{' +
        Object.keys(o)
          .sort()
          .map((k) => JSON.stringify(k) + ':' + stableKey(o[k], depth + 1))
          .join(',') +
        '}'
      );
    }
    default:
      throw new UnserializableKeyError(`a ${typeof value}`);
  }
}

/** The call's part of a `@DoubleKill` lock key: from the `key` option or the arguments. */
export function keyPart(meta: DoubleKillMethodOptions, args: unknown[]): string {
  if (typeof meta.key === 'string') return 's:' + meta.key;
  try {
    if (typeof meta.key === 'function') {
      const value = meta.key(...args);
      const text = typeof value === 'string' ? value : stableKey(value);
      if (
        meta.checkNull &&
        (value === null || value === undefined || text === '' || /null|undefined/.test(text))
      ) {
        throw new Error(
          `@DoubleKill on ${meta.name}: the key function returned ${JSON.stringify(text)}; a key must not be empty or contain null/undefined (checkNull).`,
        );
      }
      return 'f:' + text;
    }
    return 'a:' + stableKey(args);
  } catch (err) {
    if (err instanceof UnserializableKeyError) {
      throw new Error(
        `@DoubleKill on ${meta.name}: its arguments cannot form a key (${err.message}); set the "key" option, e.g. key: (id) => id.`,
        { cause: err },
      );
    }
    throw err;
  }
}
