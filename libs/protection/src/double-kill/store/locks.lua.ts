/*
 * Lock scripts. A lock and its fencing counter share the key's hash tag, so each script is
 * atomic and Redis Cluster safe. Time comes from the Redis server so instances never disagree.
 */

/**
 * Lock acquire. KEYS[1] = lock hash (o = owner, s = start ms, p = tag), KEYS[2] = the key's
 * fencing counter (same hash tag). ARGV = owner, lease ms, tag. Returns {1, fencing token} or
 * {0, ms the holder has run, the holder's tag}. A token is above the key's last one and at
 * least the clock in ms; the counter lives until the clock has passed it, plus the lease and a
 * minute, so when it expires the next token (the clock) is still above every earlier one.
 */
export const LOCK_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 's', 'p')
if h[1] then return {0, now - tonumber(h[1]), h[2] or ''} end
local f = math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, now)
redis.call('SET', KEYS[2], string.format('%d', f), 'PX', math.max(0, f - now) + tonumber(ARGV[2]) + 60000)
redis.call('HSET', KEYS[1], 'o', ARGV[1], 's', now, 'p', ARGV[3] or '')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, f}
`;

/** Lock renew. KEYS[1] = lock hash. ARGV = owner, lease ms. Extends only the owner's lease. */
export const LOCK_RENEW = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

/** Lock release. KEYS[1] = lock hash. ARGV = owner. Never deletes another owner's lock. */
export const LOCK_RELEASE = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`;

/** The lock commands as the connection registers them (name, key count, script). */
export const LOCK_SCRIPTS = {
  npLockAcquire: { keys: 2, lua: LOCK_ACQUIRE },
  npLockRenew: { keys: 1, lua: LOCK_RENEW },
  npLockRelease: { keys: 1, lua: LOCK_RELEASE },
};
