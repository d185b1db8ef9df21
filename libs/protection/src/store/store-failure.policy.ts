import { Logger } from '@nestjs/common';
import type { StoreErrorPolicy } from '../core/option-reader';
import { reject } from '../core/protection.exception';
import { ThrottledLog } from '../core/throttled-log';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import { StoreUnavailableError, StoreUnavailableException } from './store.errors';

export type { StoreErrorPolicy };

/** One warning per feature every 10 s while its store is down. */
const warnings = new ThrottledLog(new Logger(PROTECTION_LOGGER_CONTEXT), 10_000);

/**
 * The single place that applies `onStoreError`. Returns normally for 'open' (the caller then
 * proceeds unprotected) and 'local' (the caller then decides in process), after a warning at
 * most every 10 s per feature; throws the 503 `StoreUnavailableException` for 'closed' (its
 * headers written to `res` when given). Errors that are not store outages are rethrown.
 */
export function applyStoreErrorPolicy(
  feature: string,
  policy: StoreErrorPolicy,
  err: unknown,
  res?: object,
): void {
  if (!(err instanceof StoreUnavailableError)) throw err;
  if (policy === 'closed') reject(res, new StoreUnavailableException(feature));
  const served = policy === 'local' ? 'limited by this process alone' : 'served unprotected';
  warnings.warn(feature, () => `${feature}: store unavailable, request ${served} (${err.message})`);
}
