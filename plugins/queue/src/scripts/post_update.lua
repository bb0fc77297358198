-- Posts a new summary of a schedule's line: gives it the next version and keeps it, atomically,
-- so that versions enter the recent list in order (a relay that read version N never finds N - 1
-- arriving after it).
-- KEYS: meta, update (the newest summary), updates (list of the recent ones, oldest first)
-- ARGV: the summary as a JSON object without its closing brace and without "version",
--       how many recent summaries to keep, their lifetime in seconds
-- Reply: the version given
local version = redis.call('HINCRBY', KEYS[1], 'updates', 1)
local text = ARGV[1] .. ',"version":' .. version .. '}'
redis.call('SET', KEYS[2], text, 'EX', ARGV[3])
-- Version 1: the counter started anew (the meta hash was lost), older summaries would outrank it.
if version == 1 then redis.call('DEL', KEYS[3]) end
redis.call('RPUSH', KEYS[3], text)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[3], ARGV[3])
return version
