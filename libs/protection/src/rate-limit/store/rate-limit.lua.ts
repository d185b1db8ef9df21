/**
 * Sliding-log rate limit. KEYS = one sorted set per policy, all tagged with the client so they
 * share a slot. ARGV = member, then limit and window ms per policy. Trims each log to its window;
 * when every policy has room, adds the member everywhere and sets each TTL to its window.
 * Returns {allowed, remaining1, resetMs1, remaining2, resetMs2, ...}. Time comes from the Redis
 * server so instances never disagree.
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
