/**
 * Shared secret. KEYS[1] = secret key. ARGV[1] = candidate. Stores the candidate unless a
 * secret exists, and returns the stored one. The only key without a TTL: one per feature,
 * and an expiring secret would silently split instances that booted at different times.
 */
export const SHARED_SECRET = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`;
