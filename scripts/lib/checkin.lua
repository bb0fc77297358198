-- wrk script of scripts/bench checkin: every ticket's code is sent twice in a row, so two of the
-- gate connections scan it at (nearly) the same moment; each wrk thread takes every T-th ticket
-- of the codes file and stops once all its check-ins are answered. Counts 200 (admitted), 409
-- (ALREADY_USED) and anything else, and prints them with the latency percentiles. wrk's main
-- thread sleeps for the whole -d duration even when every thread stopped, so a thread that got
-- all its answers also writes MARKER_DIR/done-<id>: the script waits for those files, times the
-- run itself and stops wrk with SIGINT (wrk then prints its results).
-- wrk -s checkin.lua URL -- CODES_FILE THREADS TOKEN MARKER_DIR
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  codes = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id - 1 then codes[#codes + 1] = line end
    i = i + 1
  end
  marker = args[4] .. "/done-" .. id
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[3] }
  sent, total = 0, #codes * 2
  ok, used, other, answered = 0, 0, 0, 0
  -- wrk calls request() once on the first thread's state to check the request it builds
  -- (script_verify_request) and never sends that one: answer it without using a code.
  verifying = id == 1
end

function request()
  if verifying then
    verifying = false
    return wrk.format("GET", "/healthz")
  end
  if sent >= total then
    -- All check-ins are out; keep the connection busy with a cheap request until the last answer.
    return wrk.format("GET", "/healthz")
  end
  local code = codes[math.floor(sent / 2) + 1]
  local gate = "gate-" .. (sent % 2)
  sent = sent + 1
  return wrk.format("POST", "/api/v1/checkin", headers,
    '{"code":"' .. code .. '","gate":"' .. gate .. '"}')
end

function response(status, hdrs, body)
  if status == 200 then
    if not string.find(body, "ticketId", 1, true) then return end -- a /healthz answer
    ok = ok + 1
  elseif status == 409 then
    used = used + 1
  else
    other = other + 1
    if other <= 3 then io.stderr:write("checkin answered " .. status .. ": " .. body .. "\n") end
  end
  answered = answered + 1
  if answered == total then
    local file = io.open(marker, "w")
    file:write(string.format("%d %d %d\n", ok, used, other))
    file:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local o, u, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); u = u + t:get("used"); x = x + t:get("other")
  end
  io.write(string.format("CHECKIN admitted=%d already_used=%d other=%d requests=%d wrk_seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    o, u, x, summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
