-- reservation hold: decides one hold atomically (all-or-nothing).
-- KEYS[1] epoch  KEYS[2] schedule marker  KEYS[3] fence counter  KEYS[4] user count
-- KEYS[5] idempotency key (a dummy key when none)  KEYS[6..] seat keys, or the GA free-unit list
-- ARGV[1] "SEATS"|"GA"  ARGV[2] reservation id  ARGV[3] quantity  ARGV[4] max per user
-- ARGV[5] hold TTL ms  ARGV[6] "1" when an idempotency key is given  ARGV[7] idempotency TTL ms
-- Returns {"OK", epoch, counter, units...} | {"NO_EPOCH"} | {"REBUILD"} | {"DUP", id}
--       | {"LIMIT", owned} | {"TAKEN", index of the first taken seat} | {"SOLD_OUT", left}
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
local units = {}
if ARGV[1] == 'SEATS' then
  for i = 6, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then return {'TAKEN', i - 5} end
  end
  for i = 6, #KEYS do redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[5]) end
else
  local left = redis.call('LLEN', KEYS[6])
  if left < quantity then return {'SOLD_OUT', left} end
  units = redis.call('LPOP', KEYS[6], quantity)
end
redis.call('INCRBY', KEYS[4], quantity)
if ARGV[6] == '1' then redis.call('SET', KEYS[5], ARGV[2], 'PX', ARGV[7]) end
local counter = redis.call('INCR', KEYS[3])
local out = {'OK', tonumber(epoch), counter}
for _, unit in ipairs(units) do out[#out + 1] = unit end
return out
