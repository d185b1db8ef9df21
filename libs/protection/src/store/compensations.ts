/** Most undo steps kept at once; past it the newest are dropped (their state expires anyway). */
const MAX_PENDING = 10_000;
const RETRY_MS = 250;

interface Pending {
  run: () => Promise<unknown>;
  /** Epoch ms after which the state has expired on its own: nothing left to undo. */
  until: number;
}

/**
 * Store writes that may have run although their caller was told they failed (a command timed
 * out, or the connection dropped after sending it), undone once the store answers again: a lock
 * acquired for a call that never ran, a lock whose release failed, a single-use mark burned by a
 * request that was answered 503. Each undo is conditional on an owner token (it removes only
 * what this caller wrote), retried every 250 ms and on reconnect until it succeeds or the state
 * has expired anyway.
 */
export class Compensations {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly onError: (err: Error) => void) {}

  get size(): number {
    return this.pending.size;
  }

  /** Undoes `id` with `run` (retried until it resolves) for at most `ttlMs`. */
  add(id: string, run: () => Promise<unknown>, ttlMs: number): void {
    if (this.pending.size >= MAX_PENDING && !this.pending.has(id)) return;
    this.pending.set(id, { run, until: Date.now() + ttlMs });
    this.schedule();
  }

  /** Runs every pending undo now (on reconnect). */
  flush(): Promise<void> {
    this.running ??= this.runAll().finally(() => {
      this.running = null;
      if (this.pending.size > 0) this.schedule();
    });
    return this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size > 0) await this.flush();
    this.pending.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, RETRY_MS);
    this.timer.unref();
  }

  private async runAll(): Promise<void> {
    const now = Date.now();
    let reported = false;
    await Promise.all(
      [...this.pending].map(async ([id, p]) => {
        if (p.until <= now) return this.pending.delete(id);
        try {
          await p.run();
          if (this.pending.get(id) === p) this.pending.delete(id);
        } catch (err) {
          if (!reported) this.onError(err as Error);
          reported = true;
        }
      }),
    );
  }
}
