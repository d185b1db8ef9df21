/**
 * The least whole ms d in [0, hi] at which `fits(d)`, given that `fits` only ever turns from
 * false to true as d grows (room never shrinks while nothing is counted) and `fits(hi)` holds.
 * Starts from `guess` (the solution in reals): 2 tests when it is right; otherwise a binary
 * search, so it always ends within ~55 tests (the Lua twin must never loop long: a busy script
 * blocks Redis).
 */
export function firstFit(guess: number, hi: number, fits: (d: number) => boolean): number {
  const d = Math.min(Math.max(0, guess), hi);
  let lo = 0;
  let top = hi;
  if (fits(d)) {
    if (d === 0 || !fits(d - 1)) return d;
    top = d - 1;
  } else {
    lo = d + 1;
  }
  while (lo < top) {
    const mid = lo + Math.floor((top - lo) / 2);
    if (fits(mid)) top = mid;
    else lo = mid + 1;
  }
  return lo;
}
