-- reservation release: gives a hold's seats or units back (expiry, buyer release, payment
-- failure, cancellation, or a claim PostgreSQL refused). Safe to run twice.
-- KEYS[1] user count  KEYS[2] idempotency key (or a dummy)  KEYS[3] schedule marker
-- KEYS[4..] seat keys, or the GA free-unit list
-- ARGV[1] "SEATS"|"GA"  ARGV[2] reservation id  ARGV[3] quantity  ARGV[4] "1": forget the
-- idempotency key  ARGV[5..] GA unit ids
-- Without the schedule marker (Redis lost its data) nothing is touched: the rebuild reads
-- PostgreSQL, which already has the release.
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
local freed = 0
if ARGV[1] == 'SEATS' then
  for i = 4, #KEYS do
    if redis.call('GET', KEYS[i]) == ARGV[2] then
      redis.call('DEL', KEYS[i])
      freed = freed + 1
    end
  end
else
  for i = 5, #ARGV do
    if not redis.call('LPOS', KEYS[4], ARGV[i]) then
      redis.call('RPUSH', KEYS[4], ARGV[i])
      freed = freed + 1
    end
  end
end
local left = tonumber(redis.call('GET', KEYS[1]) or '0') - tonumber(ARGV[3])
if left < 0 then left = 0 end
redis.call('SET', KEYS[1], left)
if ARGV[4] == '1' and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return freed
