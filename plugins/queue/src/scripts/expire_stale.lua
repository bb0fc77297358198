-- Removes users not seen since `cutoff_ms` (no poll, no stream) from the line, at most `limit`.
-- KEYS: line, seen   ARGV: cutoff_ms, limit
-- Reply: the removed users
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, user in ipairs(stale) do
  redis.call('ZREM', KEYS[1], user)
  redis.call('ZREM', KEYS[2], user)
end
return stale
