import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { algorithmOf, resolvedPolicy } from './rate-limit.options';
import { ruleNamed } from './rate-limit.registry';
import { clientOfSubject, type RateLimitSubject } from './rate-limit.subjects';
import type { RateLimitOp } from '../store/rate-limit/rate-limit.port';

/** A client's budget under one rule, as `RateLimitService` reports it. */
export interface RateLimitState {
  rule: string;
  limit: number;
  /** ms */
  window: number;
  /** Requests of cost 1 the client may make now. */
  remaining: number;
  /** ms until `remaining` grows (0 when nothing is counted). */
  resetMs: number;
}

/** The limit and window of a rule that works them out per request (they are functions). */
export interface RateLimitValues {
  limit?: number;
  window?: number;
}

/**
 * Reads and changes a client's `@RateLimit` budget from code, by rule name, on the module's
 * store (every instance sees the change with Redis): e.g. `reset` after a successful password
 * reset, `penalize` a client a fraud check flagged.
 */
@Injectable()
export class RateLimitService {
  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {}

  /** The budget left, counting nothing. */
  peek(rule: string, subject: RateLimitSubject, values?: RateLimitValues): Promise<RateLimitState> {
    return this.apply(rule, subject, 'check', 0, values);
  }

  /** Forgets everything counted for the client under the rule. */
  async reset(rule: string, subject: RateLimitSubject, values?: RateLimitValues): Promise<void> {
    const { client, policy } = this.target(rule, subject, values);
    await this.store.rateLimit.reset(client, [policy]);
  }

  /** Counts `points` more for the client, past the limit if need be (it is then refused until they age out). */
  penalize(
    rule: string,
    subject: RateLimitSubject,
    points: number,
    values?: RateLimitValues,
  ): Promise<RateLimitState> {
    return this.apply(rule, subject, 'force', points, values);
  }

  /** Gives `points` back to the client (never more than it used). */
  reward(
    rule: string,
    subject: RateLimitSubject,
    points: number,
    values?: RateLimitValues,
  ): Promise<RateLimitState> {
    return this.apply(rule, subject, 'refund', points, values);
  }

  private async apply(
    rule: string,
    subject: RateLimitSubject,
    op: RateLimitOp,
    points: number,
    values: RateLimitValues | undefined,
  ): Promise<RateLimitState> {
    if (!Number.isInteger(points) || points < 0 || points > 1_000_000)
      throw new RangeError(
        `RateLimitService: points must be a whole number from 0 to 1000000, not ${points}`,
      );
    const { client, policy } = this.target(rule, subject, values);
    const decision = await this.store.rateLimit.apply(client, [policy], op, points);
    const state = decision.policies[0] ?? { remaining: 0, resetMs: 0 };
    return {
      rule,
      limit: policy.limit,
      window: policy.windowMs,
      remaining: state.remaining,
      resetMs: state.resetMs,
    };
  }

  private target(rule: string, subject: RateLimitSubject, values: RateLimitValues | undefined) {
    const r = ruleNamed(rule);
    const settings = this.options.rateLimit;
    const algorithm = algorithmOf(r, settings ? settings.algorithm : 'auto');
    return {
      client: clientOfSubject(r.key, subject, this.options.identity),
      policy: resolvedPolicy(r, algorithm, values?.limit, values?.window),
    };
  }
}
