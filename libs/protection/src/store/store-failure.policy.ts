import { Logger } from '@nestjs/common';
import type { StoreErrorPolicy } from '../core/option-reader';
import type { DecisionPoint } from '../core/decision-point';
import type { ProtectionMode } from '../core/decisions';
import type { ProtectionRequest } from '../core/http.types';
import { ProtectionException, reject } from '../core/protection.exception';
import { ThrottledLog } from '../core/throttled-log';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import { StoreFullError, StoreUnavailableError, storeErrorException } from './store.errors';

export type { StoreErrorPolicy };

/** One warning per feature and kind (down or full, refused or served) every 10 s, process-wide. */
const warnings = new ThrottledLog(new Logger(PROTECTION_LOGGER_CONTEXT), 10_000);

/**
 * The single place that applies `onStoreError`. Returns normally for 'open' (the caller then
 * proceeds unprotected) and 'local' (the caller then decides in process), after a warning at
 * most every 10 s per feature; throws the 503 for 'closed' (`STORE_UNAVAILABLE`, or
 * `STORE_FULL` for a memory table full of live state; its headers written to `res` when given).
 * A full table under 'local' is refused too: the in-process state is what is full. Errors that
 * are not store failures are rethrown.
 */
export function applyStoreErrorPolicy(
  feature: string,
  policy: StoreErrorPolicy,
  err: unknown,
  res?: object,
): void {
  if (!(err instanceof StoreUnavailableError)) throw err;
  const full = err instanceof StoreFullError;
  if (policy === 'closed' || (policy === 'local' && full)) {
    // Refused: a write that may still have run (a single-use mark) is taken back.
    err.undo?.();
    if (full)
      warnings.warn(
        `${feature} refused`,
        () => `${feature}: request refused (503), ${err.message}`,
      );
    reject(res, storeErrorException(feature, err));
  }
  const served = policy === 'local' ? 'limited by this process alone' : 'served unprotected';
  const state = full ? 'store full' : 'store unavailable';
  warnings.warn(
    `${feature} ${state} ${policy}`,
    () => `${feature}: ${state}, request ${served} (${err.message})`,
  );
}

/**
 * `applyStoreErrorPolicy` at a protection's decision point, reported there. `'open'` returns
 * (reported `degraded`: the caller serves the request unprotected); `'local'` returns
 * unreported (the caller decides in process and reports that); `'closed'` (and a full table
 * under `'local'`) refuses with the 503, or in shadow mode reports `shadow` and returns like
 * `'open'`, writing nothing to `res`. Errors that are not store failures are rethrown.
 */
export function storeFailure(
  point: DecisionPoint,
  feature: string,
  req: ProtectionRequest | undefined,
  res: object | undefined,
  mode: ProtectionMode,
  policy: StoreErrorPolicy,
  err: unknown,
): void {
  if (!(err instanceof StoreUnavailableError)) throw err;
  const shadow = mode === 'shadow';
  try {
    applyStoreErrorPolicy(feature, policy, err, shadow ? undefined : res);
  } catch (refusal) {
    if (!(refusal instanceof ProtectionException)) throw refusal;
    point.record(req, shadow ? 'shadow' : 'rejected', refusal.code, refusal.getStatus());
    if (shadow) return;
    throw refusal;
  }
  if (policy === 'open') point.record(req, 'degraded');
}
