/*
 * Lua scripts, one per decision, registered once with `defineCommand` (EVALSHA after the first
 * call). Each touches a single key, so it is atomic and Redis Cluster safe.
 */

/**
 * Debounce claim. KEYS[1] = debounce key (a hash: t = leader token, s = state r|d|f,
 * r = stored response, w = waiting followers). ARGV = token, window ms, follow (1|0).
 * Returns {1} for a new leader, else {0, leader token, state, response, pttl}.
 */
export const DEBOUNCE_CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 't', ARGV[1], 's', 'r')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
local v = redis.call('HMGET', KEYS[1], 't', 's', 'r')
-- Count a waiter only while the leader runs: settle publishes only when someone listens.
if v[2] == 'r' and ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], 'w', 1) end
return {0, v[1] or '', v[2] or 'r', v[3] or '', redis.call('PTTL', KEYS[1])}
`;

/**
 * Debounce settle. KEYS[1] = debounce key. ARGV = token, state (d|f), response, channel.
 * Writes only if ARGV[1] still leads the key (a slow leader whose window passed must not
 * answer a newer leader's followers); the key keeps its TTL, so the response lives for what
 * remains of the window. Publishes `token \n state response` when followers wait.
 */
export const DEBOUNCE_SETTLE = `
local v = redis.call('HMGET', KEYS[1], 't', 'w')
if v[1] ~= ARGV[1] then return 0 end
if ARGV[2] == 'd' then
  redis.call('HSET', KEYS[1], 's', 'd', 'r', ARGV[3])
else
  redis.call('HSET', KEYS[1], 's', 'f')
end
if v[2] then redis.call('PUBLISH', ARGV[4], ARGV[1] .. '\\n' .. ARGV[2] .. ARGV[3]) end
return 1
`;

/**
 * Shared secret. KEYS[1] = secret key. ARGV[1] = candidate. Stores the candidate unless a
 * secret exists, and returns the stored one. The only key without a TTL: one per feature,
 * and an expiring secret would silently split instances that booted at different times.
 */
export const SHARED_SECRET = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`;

/**
 * CAPTCHA image request. KEYS[1] = challenge hash (c = code, e = expiry ms, r = retries left),
 * KEYS[2] = the ticket's image counter (same hash tag: the ticket). ARGV = guess, new code,
 * code ttl ms, retries, images per minute, state ttl ms. Returns {'limited', pttl},
 * {'same', 0} or {'new', 0}. Time comes from the Redis server so instances never disagree.
 */
export const CAPTCHA_QUEST = `
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], 60000) end
if n > tonumber(ARGV[5]) then return {'limited', redis.call('PTTL', KEYS[2])} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'c', 'e')
if ARGV[1] ~= '' and s[1] == ARGV[1] and tonumber(s[2]) > now then return {'same', 0} end
redis.call('HSET', KEYS[1], 'c', ARGV[2], 'e', now + tonumber(ARGV[3]), 'r', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {'new', 0}
`;

/**
 * CAPTCHA check. KEYS[1] = challenge hash. ARGV = guess, state ttl ms. A match consumes the
 * code; a miss uses one retry and voids the code at zero; an expired code is dropped.
 */
export const CAPTCHA_CHECK = `
local s = redis.call('HMGET', KEYS[1], 'c', 'e', 'r')
if not s[1] then return 'none' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(s[2]) <= now then redis.call('DEL', KEYS[1]) return 'expired' end
if s[1] == ARGV[1] then redis.call('DEL', KEYS[1]) return 'ok' end
local r = tonumber(s[3]) - 1
if r <= 0 then redis.call('DEL', KEYS[1]) return 'void' end
redis.call('HSET', KEYS[1], 'r', r)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 'wrong'
`;

/**
 * Lock acquire. KEYS[1] = lock hash (o = owner, s = start ms), KEYS[2] = the key's fencing
 * counter (same hash tag). ARGV = owner, lease ms. Returns {1, fencing token} or {0, ms the
 * holder has run}. The counter lives 30 days after its last use, so tokens only increase
 * while the key is in use.
 */
export const LOCK_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HGET', KEYS[1], 's')
if s then return {0, now - tonumber(s)} end
local f = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 2592000000)
redis.call('HSET', KEYS[1], 'o', ARGV[1], 's', now)
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

/**
 * Sliding-log rate limit. KEYS = one sorted set per policy, all tagged with the client so they
 * share a slot. ARGV = member, then limit and window ms per policy. Trims each log to its window;
 * when every policy has room, adds the member everywhere and sets each TTL to its window.
 * Returns {allowed, remaining1, resetMs1, remaining2, resetMs2, ...}.
 */
export const RATE_LIMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local counts = {}
local allowed = 1
for i = 1, n do
  local window = tonumber(ARGV[i * 2 + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= tonumber(ARGV[i * 2]) then allowed = 0 end
end
local out = {allowed}
for i = 1, n do
  local limit = tonumber(ARGV[i * 2])
  local window = tonumber(ARGV[i * 2 + 1])
  if allowed == 1 then
    redis.call('ZADD', KEYS[i], now, ARGV[1])
    redis.call('PEXPIRE', KEYS[i], window)
    counts[i] = counts[i] + 1
  end
  local reset = window
  local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if oldest[2] then reset = tonumber(oldest[2]) + window - now end
  out[#out + 1] = math.max(0, limit - counts[i])
  out[#out + 1] = reset
end
return out
`;
