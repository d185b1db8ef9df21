import { sha256 } from '../../core/hash';
import type { RedisConnection } from '../../store/redis-connection';
import { RATE_LIMIT } from './rate-limit.lua';
import type { RateLimitDecision, RateLimitPolicy, RateLimitPort } from './rate-limit.port';

interface RateLimitCommands {
  npRateLimit(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<number[]>;
}

/** Sliding logs in Redis: every instance counts against one budget per client. */
export class RateLimitRedis implements RateLimitPort {
  private readonly commands: RateLimitCommands;

  constructor(private readonly conn: RedisConnection) {
    // Variable key count: the number of keys is passed first on each call.
    this.commands = conn.defineCommands<RateLimitCommands>({ npRateLimit: { lua: RATE_LIMIT } });
  }

  async hit(
    client: string,
    policies: readonly RateLimitPolicy[],
    member: string,
  ): Promise<RateLimitDecision> {
    const tag = sha256Tag(client);
    const keys = policies.map((p) => this.conn.k(`ratelimit:{${tag}}:${p.name}`));
    const args = policies.flatMap((p) => [p.limit, p.windowMs]);
    const reply = await this.conn.call(() =>
      this.commands.npRateLimit(keys.length, ...keys, member, ...args),
    );
    return {
      allowed: reply[0] === 1,
      policies: policies.map((_, i) => ({
        remaining: Number(reply[1 + i * 2]),
        resetMs: Math.max(0, Number(reply[2 + i * 2])),
      })),
    };
  }
}

/** Client ids are user input: a bounded, tag-safe form for keys. */
function sha256Tag(value: string): string {
  return value.length <= 64 && /^[\w.:@-]+$/.test(value) ? value : sha256(value);
}
