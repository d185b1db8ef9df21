import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { setResponseHeader } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { abuseKey, clientAddressKey, userIdOf } from '../core/identity';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { RateLimitMemory } from './store/rate-limit.memory';
import { applyStoreErrorPolicy } from '../store/store-failure.policy';
import type { RateLimitRule } from './rate-limit-options.interface';
import { TOO_MANY_REQUESTS, TooManyRequestsException } from '../core/too-many-requests.exception';
import { rejectWith } from '../core/rejection';
import { rateLimitsOf } from './rate-limit.metadata';
import type { RateLimitPolicy } from './store/rate-limit.port';
import { uniqueId } from '../core/unique-id';

const FEATURE = 'RateLimit';

/**
 * Applied by `@RateLimit` (once per route, however many rules). Counts the request against
 * every rule of the class and the method in one store step; 429 when any rule is full. Every
 * answer carries the IETF `RateLimit-Policy` and `RateLimit` headers.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly rules = new WeakMap<object, Map<object, readonly RateLimitRule[]>>();

  /** The in-process stand-in while the store is down (`onStoreError: 'local'`). */
  private readonly local: RateLimitMemory;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
  ) {
    this.local = new RateLimitMemory(options.memoryMax, 'rate-limit windows (local)');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const settings = this.options.rateLimit;
    if (!settings || context.getType() !== 'http') return true;
    const rules = this.rulesOf(context);
    if (rules.length === 0) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<ProtectionRequest>();
    const res = http.getResponse<ProtectionResponse>();

    // Rules that count the same client share one store step.
    const byClient = new Map<string, RateLimitRule[]>();
    for (const rule of rules) {
      const client = this.client(rule, req);
      byClient.set(client, [...(byClient.get(client) ?? []), rule]);
    }
    const member = uniqueId();
    const policyHeader: string[] = [];
    const stateHeader: string[] = [];
    let retryMs = 0;
    for (const [client, group] of byClient) {
      const policies: RateLimitPolicy[] = group.map((r) => ({
        name: r.name,
        limit: r.limit,
        windowMs: r.windowMs,
      }));
      let decision;
      try {
        decision = await this.store.rateLimit.hit(client, policies, member);
      } catch (err) {
        applyStoreErrorPolicy(FEATURE, settings.onStoreError, err, res);
        if (settings.onStoreError !== 'local') return true;
        // The same rules in this process until the store is back: a limit against brute force
        // must not switch off during an outage (and a full local table refuses).
        try {
          decision = await this.local.hit(client, policies, member);
        } catch (localErr) {
          applyStoreErrorPolicy(FEATURE, 'closed', localErr, res);
          return true;
        }
      }
      group.forEach((rule, i) => {
        const state = decision.policies[i] ?? { remaining: 0, resetMs: rule.windowMs };
        const reset = Math.max(0, Math.ceil(state.resetMs / 1000));
        policyHeader.push(`"${rule.name}";q=${rule.limit};w=${Math.ceil(rule.windowMs / 1000)}`);
        stateHeader.push(`"${rule.name}";r=${state.remaining};t=${reset}`);
        if (!decision.allowed && state.remaining === 0) retryMs = Math.max(retryMs, state.resetMs);
      });
      if (!decision.allowed && retryMs === 0) retryMs = 1000;
    }
    setResponseHeader(res, 'RateLimit-Policy', policyHeader.join(', '));
    setResponseHeader(res, 'RateLimit', stateHeader.join(', '));
    if (retryMs > 0) {
      const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
      rejectWith(
        res,
        req,
        TOO_MANY_REQUESTS,
        settings.response,
        (body, status) => new TooManyRequestsException(retryAfter, body, status),
      );
    }
    return true;
  }

  private client(rule: RateLimitRule, req: ProtectionRequest): string {
    const identity = this.options.identity;
    switch (rule.key) {
      case 'ip':
        return 'ip:' + clientAddressKey(req, identity);
      case 'identity':
        // An anonymous client counts by its address: a session or User-Agent is free to change.
        return 'id:' + abuseKey(req, identity);
      case 'user': {
        const id = userIdOf(req);
        return id !== undefined ? 'user:' + id : 'ip:' + clientAddressKey(req, identity);
      }
      default:
        return 'fn:' + String(rule.key(req)).slice(0, 256);
    }
  }

  private rulesOf(context: ExecutionContext): readonly RateLimitRule[] {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.rules.get(handler);
    if (!byClass) this.rules.set(handler, (byClass = new Map<object, readonly RateLimitRule[]>()));
    let rules = byClass.get(cls);
    if (!rules) {
      rules = [...rateLimitsOf(cls), ...rateLimitsOf(handler)];
      byClass.set(cls, rules);
    }
    return rules;
  }
}
