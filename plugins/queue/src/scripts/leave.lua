-- Removes a user from a schedule's line and active set.
-- KEYS: line, seen, active   ARGV: user
-- Reply: {was_waiting, was_active}
local waiting = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local active = redis.call('ZREM', KEYS[3], ARGV[1])
return {waiting, active}
