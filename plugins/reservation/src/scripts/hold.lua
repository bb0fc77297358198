-- reservation hold: decides one hold atomically (all-or-nothing).
-- KEYS[1] epoch  KEYS[2] schedule marker  KEYS[3] fence counter  KEYS[4] user count
-- KEYS[5] idempotency key (a dummy key when none)  KEYS[6] the user's holds made in the window
-- KEYS[7..] seat keys, or the GA free-unit list
-- ARGV[1] "SEATS"|"GA"  ARGV[2] reservation id  ARGV[3] quantity  ARGV[4] max per user
-- ARGV[5] hold TTL ms  ARGV[6] "1" when an idempotency key is given  ARGV[7] idempotency TTL ms
-- ARGV[8] max holds per user in the window (0: unbounded)  ARGV[9] window ms
-- Returns {"OK", epoch, counter, units...} | {"NO_EPOCH"} | {"REBUILD"} | {"DUP", id}
--       | {"LIMIT", owned} | {"HOARD", holds made in the window}
--       | {"TAKEN", index of the first taken seat} | {"SOLD_OUT", left}
-- The window count only grows (a release does not give a hold back): a buyer cannot hold, let
-- go and hold again without end. It starts at the user's first hold of the schedule and ends
-- ARGV[9] ms later (a fixed window; Redis losing it only forgives holds, it never sells a seat).
local epoch = redis.call('GET', KEYS[1])
if not epoch then return {'NO_EPOCH'} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {'REBUILD'} end
if ARGV[6] == '1' then
  local prior = redis.call('GET', KEYS[5])
  if prior then return {'DUP', prior} end
end
local quantity = tonumber(ARGV[3])
local owned = tonumber(redis.call('GET', KEYS[4]) or '0')
if owned + quantity > tonumber(ARGV[4]) then return {'LIMIT', owned} end
local max_holds = tonumber(ARGV[8])
local made = 0
if max_holds > 0 then
  made = tonumber(redis.call('GET', KEYS[6]) or '0')
  if made >= max_holds then return {'HOARD', made} end
end
local units = {}
if ARGV[1] == 'SEATS' then
  for i = 7, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then return {'TAKEN', i - 6} end
  end
  for i = 7, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[5]) end
else
  local left = redis.call('LLEN', KEYS[7])
  if left < quantity then return {'SOLD_OUT', left} end
  units = redis.call('LPOP', KEYS[7], quantity)
end
redis.call('INCRBY', KEYS[4], quantity)
if max_holds > 0 then
  if made == 0 then
    redis.call('SET', KEYS[6], 1, 'PX', ARGV[9])
  else
    redis.call('INCR', KEYS[6])
  end
end
if ARGV[6] == '1' then redis.call('SET', KEYS[5], ARGV[2], 'PX', ARGV[7]) end
local counter = redis.call('INCR', KEYS[3])
local out = {'OK', tonumber(epoch), counter}
for _, unit in ipairs(units) do out[#out + 1] = unit end
return out
