import {
  DELETE,
  TOLERANCE,
  type AlgorithmPolicy,
  type AlgorithmState,
  type AlgorithmSteps,
  type GcraState,
  type StateWrite,
} from './algorithm.types';
import { firstFit } from './first-fit';

/**
 * GCRA, the generic cell rate algorithm: a token bucket kept as one time. Each request of cost c
 * pushes the theoretical arrival time (TAT) c emission intervals T = windowMs / limit further;
 * the bucket refills as real time catches up. `debt` = max(TAT, now) - now; cost c fits iff
 * debt + c*T <= burst*T. So `burst` requests pass at once, then one per T; `limit` per window
 * on average. The TAT is stored as `at + debt` (see GcraState for why). The Lua twin
 * (../rate-limit-algorithms.lua.ts) repeats every formula here in the same order, so both
 * round alike.
 */

/**
 * Forced costs stop adding debt at 2^52 ms (~140,000 years; the largest burst * T the bounds
 * allow is ~85,000 years): now + debt stays within exact integers.
 */
export const MAX_DEBT_MS = 2 ** 52;

interface Gcra {
  /** Emission interval, ms per request (may be fractional). */
  t: number;
  /** The most debt that still admits a request: burst * T. */
  bt: number;
  /** Float slack in ms. */
  tol: number;
}

// A decision asks for the parameters of one policy several times, and a route's policy is the
// same object on every request: the last one is kept (policies are never changed in place).
let lastPolicy: AlgorithmPolicy | undefined;
let lastParams: Gcra = { t: 1, bt: 1, tol: 0 };

function params(p: AlgorithmPolicy): Gcra {
  if (p === lastPolicy) return lastParams;
  const t = p.windowMs / p.limit;
  const bt = (p.burst ?? p.limit) * t;
  lastParams = { t, bt, tol: bt * TOLERANCE };
  lastPolicy = p;
  return lastParams;
}

/** ms owed at `now` (0 for an empty or a stale state). */
export function gcraDebt(state: GcraState | undefined, now: number): number {
  return state === undefined ? 0 : Math.max(0, state.at - now + state.debt);
}

function gcraRoom(state: GcraState | undefined, now: number, p: AlgorithmPolicy): number {
  return roomWith(params(p), state, now);
}

function roomWith(g: Gcra, state: GcraState | undefined, now: number): number {
  return (g.bt - gcraDebt(state, now) + g.tol) / g.t;
}

/** The state expires when its debt is paid off. */
function store(now: number, debt: number): StateWrite<GcraState> {
  return debt > 0 ? { state: { at: now, debt }, ttlMs: Math.ceil(debt) } : DELETE;
}

export const gcraSteps: AlgorithmSteps<GcraState> = {
  owns(state: AlgorithmState): state is GcraState {
    return !Array.isArray(state) && 'debt' in state;
  },

  capacity: (p) => p.burst ?? p.limit,

  room: gcraRoom,

  count(state, now, p, cost) {
    return store(now, Math.min(MAX_DEBT_MS, gcraDebt(state, now) + cost * params(p).t));
  },

  refund(state, now, p, cost) {
    return store(now, Math.max(0, gcraDebt(state, now) - cost * params(p).t));
  },

  waitMs(state, now, p, units) {
    const g = params(p);
    const debt = gcraDebt(state, now);
    // The debt must fall to burst*T - units*T; settled on whole ms against the very test a later
    // call makes. Once the debt is paid off, `burst` >= units fit.
    const guess = Math.ceil(debt + units * g.t - g.bt - g.tol);
    return firstFit(guess, Math.ceil(debt) + 1, (d) => units <= roomWith(g, state, now + d));
  },
};
