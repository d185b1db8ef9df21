/*
 * Debounce scripts. Each touches a single key, so it is atomic and Redis Cluster safe.
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
 * Debounce settle. KEYS[1] = debounce key. ARGV = token, state (d|f), response, channel,
 * sharded (1|0). Writes only if ARGV[1] still leads the key (a slow leader whose window passed
 * must not answer a newer leader's followers); the key keeps its TTL, so the response lives for
 * what remains of the window. Publishes `token \n state response` when followers wait: with
 * SPUBLISH when sharded (the channel carries the key's hash tag: a script may only reach its own
 * node's slots), else PUBLISH.
 */
export const DEBOUNCE_SETTLE = `
local v = redis.call('HMGET', KEYS[1], 't', 'w')
if v[1] ~= ARGV[1] then return 0 end
if ARGV[2] == 'd' then
  redis.call('HSET', KEYS[1], 's', 'd', 'r', ARGV[3])
else
  redis.call('HSET', KEYS[1], 's', 'f')
end
if v[2] then
  local cmd = ARGV[5] == '1' and 'SPUBLISH' or 'PUBLISH'
  redis.call(cmd, ARGV[4], ARGV[1] .. '\\n' .. ARGV[2] .. ARGV[3])
end
return 1
`;
