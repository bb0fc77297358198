-- wrk script: approve + confirm pairs against admit-pay-sim (POST /sim/approve, then
-- POST /v1/payments/confirm for the returned paymentKey). Each wrk thread keeps its approved
-- keys in a queue; a connection confirms one when there is one, else approves a new order.
--   PAYSIM_AUTH="Basic $(printf '%s:' "$ADMIT_PAYSIM_SECRET_KEY" | base64)" \
--     wrk -t2 -c64 -d20s -s paysim_purchase.lua http://127.0.0.1:<port>
-- Purchases/s = confirmsDone (GET /sim/stats) / duration.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  auth = os.getenv("PAYSIM_AUTH") or ""
  prefix = string.format("bench-%d-%d-", os.time(), tid)
  counter = 0
  pending = {}
end

function request()
  local next = table.remove(pending)
  if next then
    return wrk.format("POST", "/v1/payments/confirm",
      {["Content-Type"] = "application/json", ["Authorization"] = auth},
      string.format('{"paymentKey":"%s","orderId":"%s","amount":15000}', next[1], next[2]))
  end
  counter = counter + 1
  return wrk.format("POST", "/sim/approve", {["Content-Type"] = "application/json"},
    string.format('{"orderId":"%s%d","amount":15000,"orderName":"bench"}', prefix, counter))
end

function response(status, headers, body)
  if status == 200 and body:find('"created"', 1, true) then
    local key = body:match('"paymentKey":"([^"]+)"')
    local order = body:match('"orderId":"([^"]+)"')
    if key and order then table.insert(pending, {key, order}) end
  end
end
