/** The latest `size` durations in a ring, for exact percentiles over recent responses. */
export class LatencyWindow {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size: number) {
    this.ring = new Float64Array(size);
  }

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
  }

  /** Nearest-rank percentile (p in 0..100) of the recorded durations; 0 when empty. */
  percentiles(...ps: number[]): number[] {
    if (this.count === 0) return ps.map(() => 0);
    const sorted = Array.from(this.ring.subarray(0, this.count)).sort((a, b) => a - b);
    return ps.map(
      (p) =>
        sorted[
          Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
        ] as number,
    );
  }
}
