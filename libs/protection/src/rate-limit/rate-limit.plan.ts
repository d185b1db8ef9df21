import type { ProtectionMode } from '../core/decisions';
import type { ProtectionRequest } from '../core/http.types';
import type {
  PerRequest,
  RateLimitAlgorithm,
  RateLimitCount,
  RateLimitRule,
} from './rate-limit-options.interface';
import type { IdentitySettings } from '../core/identity';
import { policyHeader } from '../store/rate-limit/rate-limit.headers';
import { clientOf } from './rate-limit.subjects';
import { algorithmOf, resolvedPolicy, valueFor } from './rate-limit.options';
import type { RateLimitPolicy } from '../store/rate-limit/rate-limit.port';

/** Rules counted in one store step: the same client, the same cost, the same `count` and mode. */
export interface Group {
  readonly key: RateLimitRule['key'];
  readonly count: RateLimitCount;
  readonly cost: PerRequest<number>;
  readonly rules: readonly RateLimitRule[];
  readonly algorithms: readonly RateLimitAlgorithm[];
  /** The rules as the store counts them, when their limits and windows are fixed. */
  readonly policies: readonly RateLimitPolicy[] | null;
  /** Shadow-mode rules: their refusal is reported and lets the request through. */
  readonly shadow: boolean;
}

/** A route's rules as the guard applies them, worked out on its first request. */
export interface RoutePlan {
  readonly groups: readonly Group[];
  /** The RateLimit-Policy header, when no rule works its limit or window out per request. */
  readonly policyHeader: string | null;
  /** `'shadow'` when every rule is: then a store failure lets the request through too. */
  readonly mode: ProtectionMode;
  /** Some rule counts only failed or only succeeded answers: settled after the response. */
  readonly conditional: boolean;
}

export function planFor(
  rules: readonly RateLimitRule[],
  moduleAlgorithm: 'auto' | RateLimitAlgorithm,
  moduleMode: ProtectionMode = 'enforce',
): RoutePlan | null {
  if (rules.length === 0) return null;
  const groups = new Map<string, RateLimitRule[]>();
  const costIds = new Map<PerRequest<number>, number>();
  const keyIds = new Map<RateLimitRule['key'], number>();
  for (const r of rules) {
    if (!keyIds.has(r.key)) keyIds.set(r.key, keyIds.size);
    if (!costIds.has(r.cost)) costIds.set(r.cost, costIds.size);
    // A shadow rule is counted in a step of its own: its refusal must not refuse the others.
    const id = `${keyIds.get(r.key)}:${r.count}:${costIds.get(r.cost)}:${r.mode ?? moduleMode}`;
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  const built = [...groups.values()].map((group): Group => {
    const first = group[0] as RateLimitRule;
    const algorithms = group.map((r) => algorithmOf(r, moduleAlgorithm));
    const fixed = group.every((r) => typeof r.limit === 'number' && typeof r.windowMs === 'number');
    return {
      key: first.key,
      count: first.count,
      cost: first.cost,
      rules: group,
      algorithms,
      policies: fixed
        ? group.map((r, i) => resolvedPolicy(r, algorithms[i] as RateLimitAlgorithm))
        : null,
      shadow: (first.mode ?? moduleMode) === 'shadow',
    };
  });
  const fixed = built.every((g) => g.policies !== null);
  return {
    groups: built,
    policyHeader: fixed ? policyHeader(built.flatMap((g) => g.policies ?? [])) : null,
    mode: built.every((g) => g.shadow) ? 'shadow' : 'enforce',
    conditional: built.some((g) => g.count !== 'all'),
  };
}

/** This request's policies of a group whose limits or windows are worked out per request. */
export function policiesFor(g: Group, req: ProtectionRequest): RateLimitPolicy[] {
  return g.rules.map((r, i) =>
    resolvedPolicy(
      r,
      g.algorithms[i] as RateLimitAlgorithm,
      valueFor(r, 'limit', r.limit, req),
      valueFor(r, 'window', r.windowMs, req),
    ),
  );
}

/** One store step of a request: a group with this request's client, cost and policies. */
export interface Step {
  client: string;
  count: RateLimitCount;
  cost: number;
  policies: readonly RateLimitPolicy[];
  shadow: boolean;
}

/**
 * The store steps of a request: its groups with this request's client, cost, limits and
 * windows. Rules of different kinds can name the same client (an anonymous request's `'user'`
 * rule counts its address, like `'ip'`): such steps merge, so the rules of one client are
 * counted together or not at all.
 */
export function stepsOf(
  plan: RoutePlan,
  req: ProtectionRequest,
  identity: IdentitySettings,
): Step[] {
  const [only] = plan.groups;
  if (plan.groups.length === 1 && only) {
    return [
      {
        client: clientOf(only.key, req, identity),
        count: only.count,
        cost: costOf(only, req),
        policies: only.policies ?? policiesFor(only, req),
        shadow: only.shadow,
      },
    ];
  }
  const merged = new Map<string, Step>();
  for (const g of plan.groups) {
    const client = clientOf(g.key, req, identity);
    const cost = costOf(g, req);
    const id = `${client}\0${g.count}\0${cost}\0${g.shadow}`;
    const step = merged.get(id);
    const policies = g.policies ?? policiesFor(g, req);
    if (step) step.policies = [...step.policies, ...policies];
    else merged.set(id, { client, count: g.count, cost, policies, shadow: g.shadow });
  }
  return [...merged.values()];
}

function costOf(g: Group, req: ProtectionRequest): number {
  const first = g.rules[0];
  return first ? valueFor(first, 'cost', g.cost, req) : 1;
}
