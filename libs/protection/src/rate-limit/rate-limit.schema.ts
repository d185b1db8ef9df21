import { rejectionSchema, type RouteDocs } from '../core/swagger';
import type { RateLimitRule } from './rate-limit-options.interface';

const POLICY = { description: 'IETF policies: "<name>";q=<limit>;w=<window s>', type: 'string' } as const;
const STATE = { description: 'IETF state: "<name>";r=<remaining>;t=<reset s>', type: 'string' } as const;

/** What one `@RateLimit` rule adds to the route's OpenAPI operation. */
export function rateLimitDocs(rule: RateLimitRule): RouteDocs {
  return {
    responses: [
      {
        status: 429,
        description: `Rate limit "${rule.name}": ${rule.limit} per ${rule.windowMs} ms exceeded`,
        schema: rejectionSchema(429, 'TOO_MANY_REQUESTS', 'Too many requests; retry later'),
        headers: {
          'Retry-After': { description: 'Whole seconds until the window has room', type: 'integer' },
          'RateLimit-Policy': POLICY,
          RateLimit: STATE,
        },
      },
    ],
    // The guard sets both on every answer it lets through, not only on the 429.
    successHeaders: { 'RateLimit-Policy': POLICY, RateLimit: STATE },
  };
}
