import type {
  AlgorithmDecision,
  AlgorithmPolicy,
  AlgorithmState,
  AlgorithmSteps,
  PolicyResult,
  RateLimitAlgorithm,
  RateLimitOp,
  StateWrite,
} from './algorithm.types';
import { gcraSteps } from './gcra';
import { logSteps } from './sliding-log';
import { windowSteps } from './window-counter';

/** Each algorithm's steps. */
export const ALGORITHMS: Readonly<Record<RateLimitAlgorithm, AlgorithmSteps<AlgorithmState>>> = {
  gcra: gcraSteps,
  window: windowSteps,
  log: logSteps,
};

const OPS: ReadonlySet<string> = new Set<RateLimitOp>(['hit', 'check', 'force', 'refund']);
const MAX_WINDOW_MS = 31 * 24 * 3600 * 1000;
/** More than any policy can hold; a log adds one entry per unit. */
export const MAX_COST = 1e6;

export interface DecideResult {
  decision: AlgorithmDecision;
  /**
   * Per policy, in order: the state to store (undefined: delete the key) and its TTL. Undefined
   * when nothing is to be written: a check, or a refused hit.
   */
  writes: StateWrite[] | undefined;
}

/**
 * Applies `op` with `cost` at `now` (integer ms) to one client under every policy at once, from
 * each policy's stored state (undefined when none; a stale one reads as empty). A hit counts in
 * every policy or in none. Pure: the caller stores `writes`.
 */
export function decide(
  op: RateLimitOp,
  cost: number,
  now: number,
  policies: readonly AlgorithmPolicy[],
  states: ReadonlyArray<AlgorithmState | undefined>,
): DecideResult {
  if (!OPS.has(op)) throw new RangeError(`unknown rate-limit operation ${String(op)}`);
  if (!Number.isInteger(cost) || cost < 0 || cost > MAX_COST) {
    throw new RangeError(`cost must be an integer 0..${MAX_COST}, got ${cost}`);
  }
  if (!Number.isSafeInteger(now)) throw new RangeError(`bad time ${now}`);
  if (states.length !== policies.length) throw new RangeError('one state per policy');
  const rows = policies.map((p, i) => {
    checkAlgorithmPolicy(p);
    const steps = ALGORITHMS[p.algorithm];
    const state = states[i];
    if (state !== undefined && !steps.owns(state)) {
      throw new TypeError(`policy ${i}: the stored state is not a ${p.algorithm} state`);
    }
    return { p, steps, state, fits: cost <= steps.room(state, now, p) };
  });

  const allowed = op === 'force' || op === 'refund' || rows.every((r) => r.fits);
  const writes =
    op === 'check' || !allowed
      ? undefined
      : rows.map(({ p, steps, state }) =>
          op === 'refund' ? steps.refund(state, now, p, cost) : steps.count(state, now, p, cost),
        );

  const results = rows.map(({ p, steps, state, fits }, i): PolicyResult => {
    const after = writes === undefined ? state : writes[i]?.state;
    const cap = steps.capacity(p);
    const remaining = Math.max(0, Math.floor(steps.room(after, now, p)));
    // remaining + 1 units: the moment one more request of cost 1 fits.
    const resetMs = remaining >= cap ? 0 : steps.waitMs(after, now, p, remaining + 1);
    let retryMs = 0;
    if (!allowed && !fits) retryMs = cost > cap ? p.windowMs : steps.waitMs(state, now, p, cost);
    return { remaining, resetMs, retryMs };
  });
  return { decision: { allowed, policies: results }, writes };
}

/** Throws a RangeError unless the policy is within the supported bounds. */
export function checkAlgorithmPolicy(p: AlgorithmPolicy): void {
  if (!Object.hasOwn(ALGORITHMS, p.algorithm)) {
    throw new RangeError(`unknown rate-limit algorithm ${String(p.algorithm)}`);
  }
  const bad = (v: number, max: number): boolean => !Number.isInteger(v) || v < 1 || v > max;
  if (bad(p.limit, 1e6)) throw new RangeError(`limit must be an integer 1..1e6, got ${p.limit}`);
  if (bad(p.windowMs, MAX_WINDOW_MS)) {
    throw new RangeError(`windowMs must be an integer 1..${MAX_WINDOW_MS}, got ${p.windowMs}`);
  }
  if (p.burst !== undefined && bad(p.burst, 1e6)) {
    throw new RangeError(`burst must be an integer 1..1e6, got ${p.burst}`);
  }
}
