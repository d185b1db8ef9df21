import { ExpiringTable, settle } from '../expiring-table';
import { decide, decideOne, type AlgorithmState } from './algorithms';
import { stateKey } from './rate-limit.keys';
import type {
  RateLimitDecision,
  RateLimitOp,
  RateLimitPolicy,
  RateLimitPort,
} from './rate-limit.port';

/** Rate-limit state of this process: one entry per (client, policy), kept while it matters. */
export class RateLimitMemory implements RateLimitPort {
  private readonly states: ExpiringTable<AlgorithmState>;

  constructor(maxEntries: number, name = 'rate-limit windows') {
    this.states = new ExpiringTable(name, maxEntries);
  }

  apply(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
  ): Promise<RateLimitDecision> {
    return settle(() => this.applySync(client, policies, op, cost));
  }

  /** `apply` answered at once: this store needs no round trip (throws `StoreFullError`). */
  applySync(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
  ): RateLimitDecision {
    const now = Date.now();
    if (policies.length === 1) return this.applyOne(client, policies[0]!, op, cost, now);
    return this.applyMany(client, policies, op, cost, now);
  }

  reset(client: string, policies: readonly RateLimitPolicy[]): Promise<void> {
    for (const p of policies) this.states.delete(stateKey(client, p));
    return Promise.resolve();
  }

  private applyMany(
    client: string,
    policies: readonly RateLimitPolicy[],
    op: RateLimitOp,
    cost: number,
    now: number,
  ): RateLimitDecision {
    const keys = policies.map((p) => stateKey(client, p));
    const states = keys.map((k) => this.states.get(k, now));
    const { decision, writes } = decide(op, cost, now, policies, states);
    if (writes) {
      // A client's states are all written or none: room for its new keys first (or StoreFullError).
      let fresh = 0;
      for (let i = 0; i < writes.length; i++)
        if (states[i] === undefined && writes[i]?.state !== undefined) fresh++;
      if (fresh > 0) this.states.room(fresh, now);
      writes.forEach((w, i) => {
        const key = keys[i] as string;
        if (w.state === undefined) this.states.delete(key);
        else this.states.set(key, w.state, w.ttlMs, now);
      });
    }
    return decision;
  }

  /** The common case, one policy: the same steps without the per-policy lists. */
  private applyOne(
    client: string,
    policy: RateLimitPolicy,
    op: RateLimitOp,
    cost: number,
    now: number,
  ): RateLimitDecision {
    const key = stateKey(client, policy);
    const state = this.states.get(key, now);
    const { decision, write: w } = decideOne(op, cost, now, policy, state);
    if (w) {
      if (w.state === undefined) this.states.delete(key);
      else this.states.set(key, w.state, w.ttlMs, now);
    }
    return decision;
  }

  clear(): void {
    this.states.clear();
  }
}
