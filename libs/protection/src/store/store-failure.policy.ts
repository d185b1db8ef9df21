import { Logger } from '@nestjs/common';
import { reject } from '../core/protection.exception';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import { StoreUnavailableError, StoreUnavailableException } from './store.errors';

/** What a protection does while its store is down: run unprotected, or answer 503. */
export type StoreErrorPolicy = 'open' | 'closed';

const WARN_INTERVAL_MS = 10_000;
const lastWarned = new Map<string, number>();
const logger = new Logger(PROTECTION_LOGGER_CONTEXT);

/**
 * The single place that applies `onStoreError`. Returns normally for 'open' (the caller then
 * proceeds unprotected) after a warning at most every 10 s per feature; throws the 503
 * `StoreUnavailableException` for 'closed' (its headers written to `res` when given). Errors that are not store outages are rethrown.
 */
export function applyStoreErrorPolicy(
  feature: string,
  policy: StoreErrorPolicy,
  err: unknown,
  res?: object,
): void {
  if (!(err instanceof StoreUnavailableError)) throw err;
  if (policy === 'closed') reject(res, new StoreUnavailableException(feature));
  const now = Date.now();
  if (now - (lastWarned.get(feature) ?? 0) >= WARN_INTERVAL_MS) {
    lastWarned.set(feature, now);
    logger.warn(`${feature}: store unavailable, request served unprotected (${err.message})`);
  }
}
