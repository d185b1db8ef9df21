import { rejectionSchema, type RouteDocs } from '../core/swagger';

/** What `@Debounce` adds to the route's OpenAPI operation. */
export function debounceDocs(reuse: boolean): RouteDocs {
  return {
    responses: [
      {
        status: 208,
        description: reuse
          ? 'Duplicate request whose leader failed, was not reusable, or outlived the window'
          : 'Duplicate request inside the debounce window',
        schema: rejectionSchema(208, 'DEBOUNCED', 'Duplicate request, debounced'),
        headers: {
          'Retry-After': {
            description: 'Whole seconds left in the debounce window (at least 1)',
            type: 'integer',
            example: 1,
          },
          ...(reuse
            ? {
                'X-Debounce': {
                  description:
                    '`reused` on a duplicate answered with the leader\'s response (any status)',
                  type: 'string' as const,
                  example: 'reused',
                },
              }
            : {}),
        },
      },
    ],
  };
}
