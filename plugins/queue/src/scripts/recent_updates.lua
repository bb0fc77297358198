-- The stream summaries a host has not sent yet, oldest first: one round trip, and only those
-- (a summary lists a tick's admitted join ids: the whole list can be large).
-- KEYS: meta, updates
-- ARGV: the newest version the host sent (-1: none yet), how many to answer when none was sent
-- Reply: the summaries (JSON texts) numbered after ARGV[1], as far as they are kept; the newest
--        ARGV[2] when none was sent; every kept one when they are all older than ARGV[1] (numbered
--        anew after Redis lost them).
local newest = tonumber(redis.call('HGET', KEYS[1], 'updates') or '0')
local sent = tonumber(ARGV[1])
if sent < 0 then return redis.call('LRANGE', KEYS[2], -tonumber(ARGV[2]), -1) end
if newest == sent then return {} end
if newest < sent then return redis.call('LRANGE', KEYS[2], 0, -1) end
return redis.call('LRANGE', KEYS[2], -(newest - sent), -1)
