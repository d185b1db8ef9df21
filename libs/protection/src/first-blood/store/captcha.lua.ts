/*
 * CAPTCHA scripts. A challenge and its ticket's image counter share the ticket's hash tag, so
 * each script is atomic and Redis Cluster safe. Time comes from the Redis server so instances
 * never disagree.
 */

/**
 * CAPTCHA image request. KEYS[1] = challenge hash (c = code, e = expiry ms, r = retries left),
 * KEYS[2] = the ticket's image counter. ARGV = guess, new code, code ttl ms, retries, images
 * per minute, state ttl ms. Returns {'limited', pttl}, {'same', 0} or {'new', 0}.
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
 * One unit of a fixed-window budget. KEYS[1] = counter. ARGV = limit, window ms. Returns
 * {count, pttl}.
 */
export const CAPTCHA_SPEND = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}
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

/** The CAPTCHA commands as the connection registers them (name, key count, script). */
export const CAPTCHA_SCRIPTS = {
  npCaptchaQuest: { keys: 2, lua: CAPTCHA_QUEST },
  npCaptchaCheck: { keys: 1, lua: CAPTCHA_CHECK },
  npCaptchaSpend: { keys: 1, lua: CAPTCHA_SPEND },
};
