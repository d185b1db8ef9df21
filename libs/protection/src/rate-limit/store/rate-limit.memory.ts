import { ExpiringTable, settle } from '../../store/expiring-table';
import type { RateLimitDecision, RateLimitPolicy, RateLimitPort } from './rate-limit.port';

/** Sliding logs of this process. */
export class RateLimitMemory implements RateLimitPort {
  /** Per (client, policy): the arrival times inside the window, oldest first (at most `limit`). */
  private readonly hits: ExpiringTable<number[]>;

  constructor(maxEntries: number, name = 'rate-limit windows') {
    this.hits = new ExpiringTable(name, maxEntries);
  }

  hit(
    client: string,
    policies: readonly RateLimitPolicy[],
    _member: string,
  ): Promise<RateLimitDecision> {
    return settle(() => this.hitSync(client, policies));
  }

  private hitSync(client: string, policies: readonly RateLimitPolicy[]): RateLimitDecision {
    const now = Date.now();
    const logs = policies.map((p) => {
      const key = client + '\0' + p.name;
      const found = this.hits.get(key, now);
      const log = found ?? [];
      while (log.length > 0 && (log[0] as number) <= now - p.windowMs) log.shift();
      return { key, log, fresh: found === undefined };
    });
    const allowed = policies.every((p, i) => (logs[i]?.log.length ?? 0) < p.limit);
    // A client's windows are all written or none: room for its new keys first (or StoreFullError).
    if (allowed) {
      let fresh = 0;
      for (const l of logs) if (l.fresh) fresh++;
      if (fresh > 0) this.hits.room(fresh, now);
    }
    return {
      allowed,
      policies: policies.map((p, i) => {
        const { key, log } = logs[i] as { key: string; log: number[]; fresh: boolean };
        if (allowed) {
          log.push(now);
          this.hits.set(key, log, p.windowMs, now);
        }
        return {
          remaining: Math.max(0, p.limit - log.length),
          // The window frees a place when its oldest hit leaves it.
          resetMs: log.length > 0 ? (log[0] as number) + p.windowMs - now : p.windowMs,
        };
      }),
    };
  }

  clear(): void {
    this.hits.clear();
  }
}
