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
  if (states.length !== policies.length) throw new RangeError('one state per policy');
  if (policies.length === 1) {
    const one = decideOne(op, cost, now, policies[0] as AlgorithmPolicy, states[0]);
    return { decision: one.decision, writes: one.write && [one.write] };
  }
  checkOperation(op, cost, now);
  const rows = policies.map((p, i) => {
    const state = states[i];
    const steps = stepsFor(p, state, i);
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
    return resultOf(steps, p, state, after, now, cost, allowed || fits);
  });
  return { decision: { allowed, policies: results }, writes };
}

/** `decide` for one policy (the common case), without the per-policy lists. */
export function decideOne(
  op: RateLimitOp,
  cost: number,
  now: number,
  p: AlgorithmPolicy,
  state: AlgorithmState | undefined,
): { decision: AlgorithmDecision; write: StateWrite | undefined } {
  checkOperation(op, cost, now);
  const steps = stepsFor(p, state, 0);
  const fits = cost <= steps.room(state, now, p);
  const allowed = op === 'force' || op === 'refund' || fits;
  const write =
    op === 'check' || !allowed
      ? undefined
      : op === 'refund'
        ? steps.refund(state, now, p, cost)
        : steps.count(state, now, p, cost);
  const after = write === undefined ? state : write.state;
  const result = resultOf(steps, p, state, after, now, cost, allowed || fits);
  return { decision: { allowed, policies: [result] }, write };
}

function checkOperation(op: RateLimitOp, cost: number, now: number): void {
  if (op !== 'hit' && op !== 'check' && op !== 'force' && op !== 'refund')
    throw new RangeError(`unknown rate-limit operation ${String(op)}`);
  if (!Number.isInteger(cost) || cost < 0 || cost > MAX_COST) {
    throw new RangeError(`cost must be an integer 0..${MAX_COST}, got ${cost}`);
  }
  if (!Number.isSafeInteger(now)) throw new RangeError(`bad time ${now}`);
}

function stepsFor(
  p: AlgorithmPolicy,
  state: AlgorithmState | undefined,
  i: number,
): AlgorithmSteps<AlgorithmState> {
  checkAlgorithmPolicy(p);
  const steps = ALGORITHMS[p.algorithm];
  if (state !== undefined && !steps.owns(state)) {
    throw new TypeError(`policy ${i}: the stored state is not a ${p.algorithm} state`);
  }
  return steps;
}

/** One policy's view after the operation; `fitted`: allowed, or this policy had room. */
function resultOf(
  steps: AlgorithmSteps<AlgorithmState>,
  p: AlgorithmPolicy,
  before: AlgorithmState | undefined,
  after: AlgorithmState | undefined,
  now: number,
  cost: number,
  fitted: boolean,
): PolicyResult {
  const cap = steps.capacity(p);
  const remaining = Math.max(0, Math.floor(steps.room(after, now, p)));
  // remaining + 1 units: the moment one more request of cost 1 fits.
  const resetMs = remaining >= cap ? 0 : steps.waitMs(after, now, p, remaining + 1);
  let retryMs = 0;
  if (!fitted) retryMs = cost > cap ? p.windowMs : steps.waitMs(before, now, p, cost);
  return { remaining, resetMs, retryMs };
}

/** Throws a RangeError unless the policy is within the supported bounds. */
export function checkAlgorithmPolicy(p: AlgorithmPolicy): void {
  if (p.algorithm !== 'gcra' && p.algorithm !== 'window' && p.algorithm !== 'log') {
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
