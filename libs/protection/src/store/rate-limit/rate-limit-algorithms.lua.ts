/**
 * Rate limits by algorithm (gcra, two-bucket window counter, sliding log), with costs: the Redis
 * twin of the pure steps in ../algorithms/ (read them for the semantics). Every formula is
 * written in the same order as there, so Lua's doubles round exactly as JavaScript's do; the
 * differential test (test/rate-limit-algorithms.e2e-spec.ts) holds both to the same results.
 *
 * KEYS = one key per policy, under one hash tag (one Cluster slot), naming algorithm and window.
 * ARGV[1] = 'now op cost member': now in integer ms ('' for the server's clock, TIME), op 'hit' |
 *   'check' | 'force' | 'refund', cost an integer >= 0, member an id unique per request (log
 *   entries: id, id#1, ..., id#(cost-1); '' without a log). One argument: each costs the client.
 * ARGV[1 + k] = policy k: 'algorithm limit windowMs burst' (burst: gcra, '' or 0 = limit)
 * Returns {first, resetMs1, retryMs1, remaining2, ...}, integers; first = remaining1 when
 * allowed, -1 - remaining1 when refused.
 *
 * Storage: gcra a string 'at debt' (debt ms owed as of ms at), window a string 'i curr prev',
 * log a sorted set (score = ms), each with a PEXPIRE for when it stops mattering (a stale key
 * reads as empty: expiry is only housekeeping). Check and a refused hit write nothing.
 */
export const RATE_LIMIT_ALGORITHMS = `
local TOLERANCE = 1e-9
local MAX_DEBT = 4503599627370496
-- '%.17g' round-trips a double exactly (tostring keeps only 14 digits).
local function fmt(x) return string.format('%.17g', x) end

-- The least whole ms d in [0, hi] with fits(d); fits only turns from false to true as d grows
-- and fits(hi) holds. From the guess (the solution in reals): 2 tests when it is right, else a
-- binary search, so it always ends within ~55 tests (a long loop would block Redis).
local function first_fit(guess, hi, fits)
  local d = math.min(math.max(0, guess), hi)
  local lo, top = 0, hi
  if fits(d) then
    if d == 0 or not fits(d - 1) then return d end
    top = d - 1
  else lo = d + 1 end
  while lo < top do
    local mid = lo + math.floor((top - lo) / 2)
    if fits(mid) then top = mid else lo = mid + 1 end
  end
  return lo
end

local now_arg, op, cost_arg, member = string.match(ARGV[1], '^(%S*) (%S*) (%S*) (%S*)$')
if not op then return redis.error_reply('bad rate-limit arguments ' .. tostring(ARGV[1])) end
local now = tonumber(now_arg)
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cost = tonumber(cost_arg)
if op ~= 'hit' and op ~= 'check' and op ~= 'force' and op ~= 'refund' then
  return redis.error_reply('unknown rate-limit operation ' .. tostring(op))
end
if not cost or cost < 0 or cost > 1e6 or cost ~= math.floor(cost) then
  return redis.error_reply('bad cost')
end

-- gcra and window keep a few numbers in one string.
local function load_numbers(P)
  local v = redis.call('GET', P.key)
  if not v then return nil end
  local n = {}
  for x in string.gmatch(v, '%S+') do n[#n + 1] = tonumber(x) end
  return n
end

-- GCRA: cost c fits iff debt + c*T <= burst*T; counting adds c*T to the debt.
local gcra = {}
function gcra.load(P)
  local n = load_numbers(P)
  return n and { at = n[1], debt = n[2] }
end
local function gcra_debt(st, t)
  if not st then return 0 end
  return math.max(0, st.at - t + st.debt)
end
local function gcra_room(P, st, t) return (P.bt - gcra_debt(st, t) + P.tol) / P.t end
function gcra.room(P, st) return gcra_room(P, st, now) end
local function gcra_store(P, debt)
  -- The state expires when its debt is paid off.
  if debt <= 0 then redis.call('DEL', P.key) return nil end
  redis.call('SET', P.key, fmt(now) .. ' ' .. fmt(debt), 'PX', fmt(math.ceil(debt)))
  return { at = now, debt = debt }
end
-- A forced debt stops at 2^52 ms (~140,000 years): now + debt stays an exact integer range.
function gcra.count(P, st, c)
  return gcra_store(P, math.min(MAX_DEBT, gcra_debt(st, now) + c * P.t))
end
function gcra.refund(P, st, c) return gcra_store(P, math.max(0, gcra_debt(st, now) - c * P.t)) end
function gcra.wait(P, st, units)
  local debt = gcra_debt(st, now)
  -- Settled on whole ms against the very test a later call makes; paid off, burst >= units fit.
  local guess = math.ceil(debt + units * P.t - P.bt - P.tol)
  return first_fit(guess, math.ceil(debt) + 1, function(d)
    return units <= gcra_room(P, st, now + d)
  end)
end

-- Window counter: est = prev * (W - e) / W + curr; cost c fits iff est + c <= limit.
local window = {}
function window.load(P)
  local n = load_numbers(P)
  return n and { i = n[1], curr = n[2], prev = n[3] }
end
-- The buckets at t. A state from a later bucket (the clock went back, or instances disagree)
-- reads as at the start of its own bucket until that bucket begins (ahead = ms until then).
local function window_read(st, t, w)
  local i = math.floor(t / w)
  if st and st.i > i then
    return { i = st.i, e = 0, prev = st.prev, curr = st.curr, ahead = st.i * w - t }
  end
  local b = { i = i, e = t - i * w, prev = 0, curr = 0, ahead = 0 }
  if st and st.i == i - 1 then b.prev = st.curr
  elseif st and st.i == i then b.prev, b.curr = st.prev, st.curr end
  return b
end
local function window_room(P, st, t)
  local b = window_read(st, t, P.w)
  return P.limit - ((b.prev * (P.w - b.e)) / P.w + b.curr) + P.tol
end
function window.room(P, st) return window_room(P, st, now) end
local function window_store(P, b)
  if b.curr <= 0 and b.prev <= 0 then redis.call('DEL', P.key) return nil end
  -- Both buckets are stale 2 windows after the current one began.
  redis.call('SET', P.key, fmt(b.i) .. ' ' .. fmt(b.curr) .. ' ' .. fmt(b.prev),
    'PX', fmt(b.ahead + 2 * P.w - b.e))
  return { i = b.i, curr = b.curr, prev = b.prev }
end
function window.count(P, st, c)
  local b = window_read(st, now, P.w)
  b.curr = b.curr + c
  return window_store(P, b)
end
function window.refund(P, st, c)
  -- The current bucket first: the newest requests go back first.
  local b = window_read(st, now, P.w)
  local take = math.min(c, b.curr)
  b.curr = b.curr - take
  b.prev = math.max(0, b.prev - (c - take))
  return window_store(P, b)
end
function window.wait(P, st, units)
  local w = P.w
  local b = window_read(st, now, w)
  local e, prev, curr, ahead = b.e, b.prev, b.curr, b.ahead
  -- est stays put for ahead ms, then falls by prev/W per ms until the bucket ends (W - e ms
  -- on), where it equals curr; then by curr/W per ms through the next bucket, to 0.
  local target = P.limit - units + P.tol
  local guess
  if (prev * (w - e)) / w + curr <= target then
    guess = 0
  elseif curr <= target then
    guess = ahead + math.ceil(w - e - ((target - curr) * w) / prev)
  else
    guess = ahead + w - e + math.ceil(w - (target * w) / curr)
  end
  return first_fit(guess, ahead + 2 * w - e, function(d)
    return units <= window_room(P, st, now + d)
  end)
end

-- Sliding log: a sorted set of arrival times; entries <= now - W have left the window. It is
-- read in place (never loaded whole) and trimmed only when written.
local log = {}
function log.load(P) return nil end
local function log_live(P) return redis.call('ZCOUNT', P.key, '(' .. fmt(now - P.w), '+inf') end
function log.room(P) return P.limit - log_live(P) end
local function log_expire(P)
  -- The log lives until its newest entry leaves the window (an empty set is already gone).
  local newest = redis.call('ZRANGE', P.key, -1, -1, 'WITHSCORES')
  if newest[2] then redis.call('PEXPIRE', P.key, fmt(tonumber(newest[2]) + P.w - now)) end
end
function log.count(P, st, c)
  redis.call('ZREMRANGEBYSCORE', P.key, '-inf', fmt(now - P.w))
  local args = {}
  for k = 1, c do
    args[#args + 1] = fmt(now)
    args[#args + 1] = k == 1 and member or member .. '#' .. (k - 1)
    -- ZADD in slices: unpack() has a stack limit.
    if #args >= 1000 or k == c then
      redis.call('ZADD', P.key, unpack(args))
      args = {}
    end
  end
  log_expire(P)
end
function log.refund(P, st, c)
  -- The newest entries go back.
  redis.call('ZREMRANGEBYSCORE', P.key, '-inf', fmt(now - P.w))
  if c > 0 then redis.call('ZREMRANGEBYRANK', P.key, -c, -1) end
  log_expire(P)
end
function log.wait(P, st, units)
  -- For units to fit, the n-th oldest live entry must leave, n = count + units - limit.
  local n = log_live(P) + units - P.limit
  if n <= 0 then return 0 end
  local r = redis.call('ZRANGEBYSCORE', P.key, '(' .. fmt(now - P.w), '+inf',
    'WITHSCORES', 'LIMIT', n - 1, 1)
  return math.max(0, tonumber(r[2]) + P.w - now)
end

local ALGORITHMS = { gcra = gcra, window = window, log = log }

-- Read every policy and test the cost against each.
local policies = {}
local fits_all = true
for k = 1, #KEYS do
  local name, limit, w, burst_arg = string.match(ARGV[1 + k] or '', '^(%S+) (%S+) (%S+) (%S*)$')
  local A = ALGORITHMS[name or '']
  if not A then return redis.error_reply('unknown algorithm ' .. tostring(ARGV[1 + k])) end
  local P = { key = KEYS[k], A = A, limit = tonumber(limit), w = tonumber(w) }
  if A == gcra then
    local burst = tonumber(burst_arg) or 0
    P.cap = burst > 0 and burst or P.limit
    P.t = P.w / P.limit
    P.bt = P.cap * P.t
    P.tol = P.bt * TOLERANCE
  else
    P.tol = P.limit * TOLERANCE
    P.cap = P.limit
  end
  P.st = A.load(P)
  P.fits = cost <= A.room(P, P.st)
  if not P.fits then fits_all = false end
  policies[k] = P
end

-- All or none: a hit counts everywhere only when every policy has room.
local allowed = op == 'force' or op == 'refund' or fits_all
local write = allowed and op ~= 'check'
local out = {}
for k, P in ipairs(policies) do
  local A = P.A
  local before = P.st
  if write then
    if op == 'refund' then P.st = A.refund(P, P.st, cost) else P.st = A.count(P, P.st, cost) end
  end
  local remaining = math.max(0, math.floor(A.room(P, P.st)))
  local reset = 0
  if remaining < P.cap then reset = A.wait(P, P.st, remaining + 1) end
  local retry = 0
  if not allowed and not P.fits then
    if cost > P.cap then retry = P.w else retry = A.wait(P, before, cost) end
  end
  if k == 1 and not allowed then remaining = -1 - remaining end
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
end
return out
`;
