import { randomBytes } from 'node:crypto';
import { sha256 } from '../core/hash';
import { RequestContext } from '../core/request-context';

/** Namespace of progress records in the store's records. */
export const PROGRESS_RECORD = 'progress:';

/** The progress record of a `@DoubleKill` call. */
export interface ProgressRecord {
  key: string;
  startedAt: number;
  stoppedAt: number | null;
  done: boolean;
  percent: number;
  /** The method's return value, only when it has `keepResult: true`. */
  result?: unknown;
  error?: string;
}

/** A new progress key: 128 random bits, so nobody can guess or derive another call's key. */
export function newProgressKey(): string {
  return randomBytes(16).toString('base64url');
}

/** The client the current code serves (`system` outside a request). */
export function currentIdentity(): string {
  return RequestContext.current()?.identity ?? 'system';
}

/**
 * Where the record of `key` started by `identity` lives. The identity is part of the store key,
 * so another client holding the key finds nothing, and nothing in the record names the client.
 */
export function progressRecordKey(identity: string, key: string): string {
  return PROGRESS_RECORD + sha256(`${identity}\0${key}`);
}

/** `value` as JSON data, or undefined when it cannot be serialised. */
export function jsonSafe(value: unknown): unknown {
  try {
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
  } catch {
    return undefined;
  }
}
