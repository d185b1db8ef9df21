import { RATE_LIMIT_HEADER_DOCS } from '../store/rate-limit/rate-limit.headers';
import type { RouteDocs } from '../core/swagger';
import { TOO_MANY_REQUESTS } from '../core/too-many-requests.exception';
import type { RateLimitRule } from './rate-limit-options.interface';

const { 'RateLimit-Policy': POLICY, RateLimit: STATE } = RATE_LIMIT_HEADER_DOCS;

/** What one `@RateLimit` rule adds to the route's OpenAPI operation. */
export function rateLimitDocs(rule: RateLimitRule): RouteDocs {
  return {
    responses: [
      {
        status: TOO_MANY_REQUESTS.status,
        description:
          typeof rule.limit === 'number' && typeof rule.windowMs === 'number'
            ? `Rate limit "${rule.name}": ${rule.limit} per ${rule.windowMs} ms exceeded`
            : `Rate limit "${rule.name}" exceeded`,
        schema: TOO_MANY_REQUESTS.schema(),
        headers: {
          'Retry-After': {
            description: 'Whole seconds until the request would fit',
            type: 'integer',
          },
          'RateLimit-Policy': POLICY,
          RateLimit: STATE,
        },
      },
    ],
    // The guard sets both on every answer it lets through, not only on the 429.
    successHeaders: { 'RateLimit-Policy': POLICY, RateLimit: STATE },
  };
}
