/*
 * rate-limiter-flexible whose guard writes the same two IETF RateLimit headers as ours, in the
 * four shapes of the rate-limit comparison: the like-for-like rows of both benchmark scripts.
 */
export const FLEXIBLE_WITH_HEADERS = [
  { suffix: '', shape: '(e)', what: 'memory', redis: false, refused: false },
  { suffix: '-redis', shape: '(f)', what: 'Redis', redis: true, refused: false },
  { suffix: '-blocked', shape: '(g)', what: 'blocked key, memory', redis: false, refused: true },
  {
    suffix: '-blocked-redis',
    shape: '(h)',
    what: 'blocked key, Redis',
    redis: true,
    refused: true,
  },
].map(({ suffix, shape, what, redis, refused }) => ({
  name: `rl-flexible-headers${suffix}`,
  label: `${shape} rate-limiter-flexible + the same two RateLimit headers, ${what}`,
  path: '/rl?id=[<id>]',
  redis,
  refused,
}));
