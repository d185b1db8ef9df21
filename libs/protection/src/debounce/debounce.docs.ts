import type { RouteDocs } from '../core/swagger';
import { DEBOUNCED } from './debounce.exception';

/** What `@Debounce` adds to the route's OpenAPI operation. */
export function debounceDocs(reuse: boolean): RouteDocs {
  return {
    responses: [
      {
        status: DEBOUNCED.status,
        description: reuse
          ? 'Duplicate request whose leader failed, was not reusable, or outlived the window'
          : 'Duplicate request inside the debounce window',
        schema: DEBOUNCED.schema(),
        headers: {
          'Retry-After': {
            description: 'Whole seconds left in the debounce window (at least 1)',
            type: 'integer',
            example: 1,
          },
        },
      },
    ],
    // A reuse route replays the leader's response to a duplicate: that is the route's own
    // answer (whatever its status) plus this header; the 208 never carries it.
    ...(reuse
      ? {
          successHeaders: {
            'X-Debounce': {
              description:
                "`reused` when this is the leader's response replayed to a duplicate request",
              type: 'string' as const,
              example: 'reused',
            },
          },
        }
      : {}),
  };
}
