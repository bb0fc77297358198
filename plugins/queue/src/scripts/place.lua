-- The place of one user in one schedule's line: join (adds when absent), status (heartbeat only)
-- or repair (adds with a given score, from the durable log).
-- KEYS: meta (hash), line (zset user -> order), seen (zset user -> last seen ms),
--       active (zset user -> entry token expiry ms)
-- ARGV: user, now_ms, mode ("join" | "status" | "repair"), repair_score
-- Reply: {state, rank (0-based, -1 none), is_new, score, waiting, paused, admitted_total,
--         active_expiry_ms, rate, seats_remaining}
-- state: RECOVERING (no meta: Redis lost the line), SOLD_OUT, ADMITTED, PREQUEUE, WAITING, ABSENT
local meta = redis.call('HMGET', KEYS[1], 'phase', 'paused', 'admitted', 'rate', 'remaining')
local phase = meta[1]
if not phase then return {'RECOVERING', -1, 0, 0, 0, 0, 0, 0, 0, -1} end
local paused = tonumber(meta[2] or '0') or 0
local admitted = tonumber(meta[3] or '0') or 0
local rate = tonumber(meta[4] or '0') or 0
local remaining = tonumber(meta[5] or '-1') or -1
local user = ARGV[1]
local now = tonumber(ARGV[2])
local expiry = tonumber(redis.call('ZSCORE', KEYS[4], user) or '0')
if expiry > now then
  return {'ADMITTED', -1, 0, 0, redis.call('ZCARD', KEYS[2]), paused, admitted, expiry, rate, remaining}
end
if phase == 'SOLD_OUT' then return {'SOLD_OUT', -1, 0, 0, 0, paused, admitted, 0, rate, 0} end
local score = redis.call('ZSCORE', KEYS[2], user)
local is_new = 0
if not score then
  if ARGV[3] == 'status' then
    return {'ABSENT', -1, 0, 0, redis.call('ZCARD', KEYS[2]), paused, admitted, 0, rate, remaining}
  end
  if ARGV[3] == 'repair' then
    score = tonumber(ARGV[4])
  elseif phase == 'PREQUEUE' then
    score = 0
  else
    score = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  end
  redis.call('ZADD', KEYS[2], score, user)
  is_new = 1
end
redis.call('ZADD', KEYS[3], now, user)
local rank = redis.call('ZRANK', KEYS[2], user)
local state = 'WAITING'
if phase == 'PREQUEUE' then state = 'PREQUEUE' end
return {state, rank, is_new, tonumber(score), redis.call('ZCARD', KEYS[2]), paused, admitted, 0,
        rate, remaining}
