import type { DoubleKillMethodOptions } from './double-kill-options.interface';
import { DoubleKillKeyException } from './double-kill.exception';

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

/**
 * The call's part of a `@DoubleKill` lock key: from the `key` option or the arguments. A key
 * function that throws, or (checkNull) returns null or undefined, is `DoubleKillKeyException`:
 * a bad input, answered 400, not a server fault.
 */
export function keyPart(meta: DoubleKillMethodOptions, args: unknown[]): string {
  if (typeof meta.key === 'string') return 's:' + meta.key;
  if (typeof meta.key === 'function') {
    let value: unknown;
    try {
      value = meta.key(...args);
    } catch (err) {
      throw new DoubleKillKeyException(meta.name, 'failed', { cause: err });
    }
    if (meta.checkNull && (value === null || value === undefined))
      throw new DoubleKillKeyException(meta.name, 'null');
    return (
      'f:' +
      (typeof value === 'string' ? value : serialized(meta, value, 'its key function result'))
    );
  }
  return 'a:' + serialized(meta, args, 'its arguments');
}

function serialized(meta: DoubleKillMethodOptions, value: unknown, what: string): string {
  try {
    return stableKey(value);
  } catch (err) {
    if (!(err instanceof UnserializableKeyError)) throw err;
    // The developer must fix the method: a server fault, not the client's.
    throw new Error(
      `@DoubleKill on ${meta.name}: ${what} cannot form a key (${err.message}); set the "key" option, e.g. key: (id) => id.`,
      { cause: err },
    );
  }
}
