-- GCRA for one key, decided atomically inside Redis.
--
-- KEYS[1]  the key: holds the theoretical arrival time (TAT) of the next event, in microseconds since the epoch
-- ARGV[1]  now, in microseconds, from the caller's clock (never Redis TIME, so tests can move time)
-- ARGV[2]  the emission interval: Per/Limit, in microseconds
-- ARGV[3]  the limit, which is also the burst
--
-- Returns {allowed (1 or 0), remaining, retry after in microseconds}.
--
-- Every time is a whole number of microseconds, about 2^51 today, so Lua's doubles hold them exactly. They are
-- written back with %d because Redis would otherwise format them with 14 significant digits and lose precision.

local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])

-- A key that is missing, expired or holds something unreadable counts as idle: its TAT is now.
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end

-- The event is allowed if, once it is counted, the TAT runs no more than a full burst ahead of now.
local new_tat = tat + interval
local allow_at = new_tat - interval * limit
if now < allow_at then
  return {0, 0, allow_at - now}
end

-- The key expires when its TAT has passed: from then on a missing key means the same as the stored one.
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / interval), 0}
