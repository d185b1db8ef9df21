/** What a `ThrottledLog` writes to: a Nest `Logger` or any logger with `warn`. */
export interface WarnLogger {
  warn(message: string): void;
}

/**
 * At most one WARN line per `intervalMs` per key: a condition that repeats on every request
 * (a slow route, a store outage, a reconnecting client) says so once in a while, not flooding.
 */
export class ThrottledLog {
  private readonly last = new Map<string, number>();

  /** `maxKeys` bounds the memory when keys come from requests (routes); past it, all are forgotten. */
  constructor(
    private readonly logger: WarnLogger,
    private readonly intervalMs: number,
    private readonly maxKeys = 1000,
  ) {}

  /** Writes `message()` unless `key` was written within the interval; whether it was written. */
  warn(key: string, message: () => string): boolean {
    const now = Date.now();
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (last === undefined && this.last.size >= this.maxKeys) this.last.clear();
    this.last.set(key, now);
    this.logger.warn(message());
    return true;
  }
}
