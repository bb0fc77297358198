-- Moves an admitted batch from the line to the active set (after PostgreSQL recorded it under the
-- tick's fencing token) and removes users the log says are no longer waiting.
-- KEYS: meta, line, seen, active
-- ARGV: admitted_count, then admitted_count pairs (user, expiry_ms), then users to drop
local count = tonumber(ARGV[1])
for i = 0, count - 1 do
  local user = ARGV[2 + i * 2]
  redis.call('ZREM', KEYS[2], user)
  redis.call('ZREM', KEYS[3], user)
  redis.call('ZADD', KEYS[4], tonumber(ARGV[3 + i * 2]), user)
end
for i = 2 + count * 2, #ARGV do
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i])
end
if count > 0 then redis.call('HINCRBY', KEYS[1], 'admitted', count) end
return redis.call('ZCARD', KEYS[2])
