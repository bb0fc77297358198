-- Closes the pre-queue: phase OPEN, seq at least the number of pre-queue members (so a join
-- arriving after this script gets an order behind the whole shuffled block), and answers every
-- member still unordered (score 0) so the caller can order them by the revealed seed and write
-- their scores 1..N with ZADD XX. Idempotent: a second run answers the members still at 0.
-- KEYS: meta, line   ARGV: (none)
-- Reply: the unordered pre-queue users
redis.call('HSET', KEYS[1], 'phase', 'OPEN')
local members = redis.call('ZRANGEBYSCORE', KEYS[2], 0, 0)
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') or 0
if seq < #members then redis.call('HSET', KEYS[1], 'seq', #members) end
return members
