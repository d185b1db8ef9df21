import type { RateLimitPolicy, RateLimitPolicyState } from './rate-limit.port';
import type { DocHeader } from '../../core/swagger.types';

/*
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) as every limit of the
 * library writes them: `@RateLimit` and the `@PageDefault` row budget.
 */

/**
 * The names as written. Header names are case-insensitive and Fastify sends them in lower case
 * anyway; a name given in lower case is not converted again on every response.
 */
export const POLICY_HEADER = 'ratelimit-policy';
export const STATE_HEADER = 'ratelimit';

/** `RateLimit-Policy`: `"<name>";q=<limit>;w=<window s>, ...`. */
export function policyHeader(policies: readonly RateLimitPolicy[]): string {
  return policies
    .map((p) => `"${p.name}";q=${p.limit};w=${Math.ceil(p.windowMs / 1000)}`)
    .join(', ');
}

/** One item of `RateLimit`: `"<name>";r=<remaining>;t=<reset s>` (`t=0`: nothing counted). */
export function stateItem(policy: RateLimitPolicy, state: RateLimitPolicyState): string {
  const reset = state.resetMs > 0 ? Math.ceil(state.resetMs / 1000) : 0;
  return `"${policy.name}";r=${state.remaining};t=${reset}`;
}

/** Swagger descriptions of both headers. */
export const RATE_LIMIT_HEADER_DOCS: Readonly<Record<'RateLimit-Policy' | 'RateLimit', DocHeader>> =
  Object.freeze({
    'RateLimit-Policy': {
      description: 'IETF policies: "<name>";q=<limit>;w=<window s>',
      type: 'string',
    },
    RateLimit: { description: 'IETF state: "<name>";r=<remaining>;t=<reset s>', type: 'string' },
  });
