-- reservation sell: a confirmed hold's seats stay taken for good (no TTL).
-- KEYS[1] schedule marker  KEYS[2..] seat keys   ARGV[1] reservation id
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do
  local owner = redis.call('GET', KEYS[i])
  if owner == ARGV[1] then
    redis.call('PERSIST', KEYS[i])
  elseif not owner then
    redis.call('SET', KEYS[i], ARGV[1])
  end
end
return 1
