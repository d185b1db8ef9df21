import {
  DELETE,
  type AlgorithmState,
  type AlgorithmSteps,
  type LogState,
  type StateWrite,
} from './algorithm.types';

/**
 * Exact sliding log: the arrival time of every counted unit inside (now - W, now], oldest first;
 * cost c fits iff count + c <= limit. Exact, but the state grows with the limit (and with forced
 * costs beyond it). In Redis the log is a sorted set (../rate-limit-algorithms.lua.ts).
 */

/** Index of the first entry still inside the window at `now` (entries <= now - W have left). */
function liveFrom(log: LogState, now: number, w: number): number {
  const edge = now - w;
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((log[mid] as number) <= edge) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function live(log: LogState | undefined, now: number, w: number): LogState {
  return log === undefined ? [] : log.slice(liveFrom(log, now, w));
}

/** The log lives until its newest entry leaves the window. */
function store(log: LogState, now: number, w: number): StateWrite<LogState> {
  const newest = log[log.length - 1];
  return newest === undefined ? DELETE : { state: log, ttlMs: newest + w - now };
}

export const logSteps: AlgorithmSteps<LogState> = {
  owns(state: AlgorithmState): state is LogState {
    return Array.isArray(state);
  },

  capacity: (p) => p.limit,

  room(state, now, p) {
    return p.limit - (state === undefined ? 0 : state.length - liveFrom(state, now, p.windowMs));
  },

  count(state, now, p, cost) {
    const log = live(state, now, p.windowMs);
    // Kept sorted even if the clock went back (a sorted set orders by time in Redis).
    let at = log.length;
    while (at > 0 && (log[at - 1] as number) > now) at--;
    const added = log.slice(0, at).concat(new Array<number>(cost).fill(now), log.slice(at));
    return store(added, now, p.windowMs);
  },

  refund(state, now, p, cost) {
    // The newest entries go back.
    const log = live(state, now, p.windowMs);
    return store(log.slice(0, Math.max(0, log.length - cost)), now, p.windowMs);
  },

  waitMs(state, now, p, units) {
    if (state === undefined) return 0;
    const from = liveFrom(state, now, p.windowMs);
    // For `units` to fit, the n-th oldest live entry must leave, n = count + units - limit.
    const n = state.length - from + units - p.limit;
    if (n <= 0) return 0;
    return Math.max(0, (state[from + n - 1] as number) + p.windowMs - now);
  },
};
