import {
  DELETE,
  TOLERANCE,
  type AlgorithmPolicy,
  type AlgorithmState,
  type AlgorithmSteps,
  type StateWrite,
  type WindowState,
} from './algorithm.types';
import { firstFit } from './first-fit';

/**
 * Two-bucket sliding-window counter (as Cloudflare's and many limiters): time is cut into buckets
 * of one window; the count of the last W ms is estimated as the previous bucket's count, weighted
 * by the share of it still inside the sliding window, plus the current bucket's count:
 *
 *   est = prev * (W - e) / W + curr        (e = ms elapsed in the current bucket)
 *
 * Cost c fits iff est + c <= limit. Constant state (two counts and the bucket index).
 *
 * The approximation assumes the previous bucket's requests were spread evenly. At worst they all
 * came at its very end: the estimate then forgets them while they are still inside the sliding
 * window, and admitted requests in a window of length W reach up to limit + limit * (W - 1) / W,
 * always below 2 * limit. With evenly spread traffic the error is small. window-counter.spec.ts
 * measures both and prints the figures.
 *
 * The Lua twin (../rate-limit-algorithms.lua.ts) repeats every formula here in the same order.
 */

interface Buckets {
  i: number;
  e: number;
  prev: number;
  curr: number;
  /** ms until bucket `i` begins: 0 unless the state is from a later bucket. */
  ahead: number;
}

/**
 * The buckets at `t`. A state from a later bucket (the clock went back, or instances disagree)
 * reads as at the start of its own bucket until that bucket begins: the estimate never grows
 * with time, and nothing counted is dropped.
 */
function read(state: WindowState | undefined, t: number, w: number): Buckets {
  const i = Math.floor(t / w);
  if (state !== undefined && state.i > i) {
    return { i: state.i, e: 0, prev: state.prev, curr: state.curr, ahead: state.i * w - t };
  }
  const e = t - i * w;
  if (state === undefined || state.i < i - 1) return { i, e, prev: 0, curr: 0, ahead: 0 };
  if (state.i === i - 1) return { i, e, prev: state.curr, curr: 0, ahead: 0 };
  return { i, e, prev: state.prev, curr: state.curr, ahead: 0 };
}

/** The estimated count of the sliding window ending at `t`. */
function estimate(b: Buckets, w: number): number {
  return (b.prev * (w - b.e)) / w + b.curr;
}

function windowRoom(state: WindowState | undefined, now: number, p: AlgorithmPolicy): number {
  return p.limit - estimate(read(state, now, p.windowMs), p.windowMs) + p.limit * TOLERANCE;
}

/** Both buckets are stale 2 windows after the current one began. */
function store(b: Buckets, w: number): StateWrite<WindowState> {
  if (b.curr <= 0 && b.prev <= 0) return DELETE;
  return { state: { i: b.i, curr: b.curr, prev: b.prev }, ttlMs: b.ahead + 2 * w - b.e };
}

export const windowSteps: AlgorithmSteps<WindowState> = {
  owns(state: AlgorithmState): state is WindowState {
    return !Array.isArray(state) && 'curr' in state;
  },

  capacity: (p) => p.limit,

  room: windowRoom,

  count(state, now, p, cost) {
    const b = read(state, now, p.windowMs);
    return store({ ...b, curr: b.curr + cost }, p.windowMs);
  },

  refund(state, now, p, cost) {
    // The current bucket first: the newest requests go back first.
    const b = read(state, now, p.windowMs);
    const take = Math.min(cost, b.curr);
    return store(
      { ...b, curr: b.curr - take, prev: Math.max(0, b.prev - (cost - take)) },
      p.windowMs,
    );
  },

  waitMs(state, now, p, units) {
    const w = p.windowMs;
    const { e, prev, curr, ahead } = read(state, now, w);
    // est must fall to `target`. It stays put for `ahead` ms, then falls linearly by prev/W per
    // ms until the bucket ends (W - e ms on), where it equals curr; then by curr/W per ms through
    // the next bucket, to 0.
    const target = p.limit - units + p.limit * TOLERANCE;
    let guess: number;
    if ((prev * (w - e)) / w + curr <= target) guess = 0;
    else if (curr <= target) guess = ahead + Math.ceil(w - e - ((target - curr) * w) / prev);
    else guess = ahead + w - e + Math.ceil(w - (target * w) / curr);
    // The solution in reals, settled on whole ms against the very test a later call makes.
    const fits = (d: number): boolean => units <= windowRoom(state, now + d, p);
    return firstFit(guess, ahead + 2 * w - e, fits);
  },
};
