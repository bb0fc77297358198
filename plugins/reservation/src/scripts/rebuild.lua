-- reservation rebuild: loads one schedule's live claims (read from PostgreSQL) and marks it ready.
-- KEYS[1] schedule marker   ARGV[1] JSON {"seats": [[key, owner, ttlMs (0 = none)]...],
--   "lists": [[key, [unit...]]...], "users": [[key, count]...]}
local state = cjson.decode(ARGV[1])
for _, seat in ipairs(state.seats) do
  if seat[3] > 0 then redis.call('SET', seat[1], seat[2], 'PX', seat[3]) else redis.call('SET', seat[1], seat[2]) end
end
for _, list in ipairs(state.lists) do
  redis.call('DEL', list[1])
  local units = list[2]
  for i = 1, #units, 500 do
    redis.call('RPUSH', list[1], unpack(units, i, math.min(i + 499, #units)))
  end
end
for _, user in ipairs(state.users) do redis.call('SET', user[1], user[2]) end
redis.call('SET', KEYS[1], '1')
return 1
