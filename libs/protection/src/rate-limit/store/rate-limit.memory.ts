import { LruMap } from '../../store/lru-map';
import type { RateLimitDecision, RateLimitPolicy, RateLimitPort } from './rate-limit.port';

/** Sliding logs of this process. */
export class RateLimitMemory implements RateLimitPort {
  /** Per (client, policy): the arrival times inside the window, oldest first (at most `limit`). */
  private readonly hits: LruMap<number[]>;

  constructor(maxEntries: number) {
    this.hits = new LruMap(maxEntries);
  }

  hit(
    client: string,
    policies: readonly RateLimitPolicy[],
    _member: string,
  ): Promise<RateLimitDecision> {
    return Promise.resolve(this.hitSync(client, policies));
  }

  private hitSync(client: string, policies: readonly RateLimitPolicy[]): RateLimitDecision {
    const now = Date.now();
    const logs = policies.map((p) => {
      const key = client + '\0' + p.name;
      const log = this.hits.get(key, now) ?? [];
      while (log.length > 0 && (log[0] as number) <= now - p.windowMs) log.shift();
      return { key, log };
    });
    const allowed = policies.every((p, i) => (logs[i]?.log.length ?? 0) < p.limit);
    return {
      allowed,
      policies: policies.map((p, i) => {
        const { key, log } = logs[i] as { key: string; log: number[] };
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
