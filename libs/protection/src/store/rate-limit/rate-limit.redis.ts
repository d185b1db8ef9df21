import { sha256 } from '../../core/hash';
import { uniqueId } from '../../core/unique-id';
import type { RedisConnection } from '../redis-connection';
import { RATE_LIMIT_ALGORITHMS } from './rate-limit-algorithms.lua';
import { policyKey } from './rate-limit.keys';
import { decodeReply, withScriptArgs } from './rate-limit.redis-codec';
import type {
  RateLimitDecision,
  RateLimitOp,
  RateLimitPolicy,
  RateLimitPort,
} from './rate-limit.port';

interface RateLimitCommands {
  npRateLimit(numberOfKeys: number, keysAndArgs: string[]): Promise<number[]>;
}

/** Rate limits in Redis: every instance counts against one budget per client. */
export class RateLimitRedis implements RateLimitPort {
  private readonly commands: RateLimitCommands;

  constructor(private readonly conn: RedisConnection) {
    // Variable key count: the number of keys is passed first on each call.
    this.commands = conn.defineCommands<RateLimitCommands>({
      npRateLimit: { lua: RATE_LIMIT_ALGORITHMS },
    });
  }

  async apply(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
  ): Promise<RateLimitDecision> {
    // The server's clock (''), so instances never disagree; a log entry's id is unique per
    // request (the other algorithms keep no entries, so no id is made for them).
    const member = op === 'hit' || op === 'force' ? entryId(policies) : '';
    const args = withScriptArgs(this.keys(client, policies), '', op, cost, member, policies);
    // One array argument: ioredis flattens it into the command (no spread copy here).
    const n = policies.length;
    const reply = await this.conn.call(() => this.commands.npRateLimit(n, args));
    return decodeReply(reply, policies.length);
  }

  async reset(client: string, policies: readonly RateLimitPolicy[]): Promise<void> {
    const keys = this.keys(client, policies);
    await this.conn.call(() => this.conn.client.del(...keys));
  }

  /** One key per policy, all tagged with the client so they share a Cluster slot. */
  private keys(client: string, policies: readonly RateLimitPolicy[]): string[] {
    const tag = tagOf(client);
    return policies.map((p) => this.conn.k(`ratelimit:{${tag}}:${policyKey(p)}`));
  }
}

/** A unique id for the log's entries, or '' when no policy is a log. */
function entryId(policies: readonly RateLimitPolicy[]): string {
  for (const p of policies) if (p.algorithm === 'log') return uniqueId();
  return '';
}

/** Client ids are user input: a bounded, tag-safe form for keys. */
function tagOf(value: string): string {
  return value.length <= 64 && /^[\w.:@-]+$/.test(value) ? value : sha256(value);
}
