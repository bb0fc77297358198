-- Request rate limits per category, counted per caller (authenticated) or per IP.
--
-- input:  { category = "auth" | "queue" | "booking" | "general", authenticated = true | false }
-- output: { category, limit, windowSeconds, keyBy = "caller" | "ip" }

local RULES = {
  auth = { limit = 10, window = 60, key = "ip" },  -- login/signup: always per IP
  queue = { limit = 60, window = 60, key = "caller" },
  booking = { limit = 20, window = 60, key = "caller" },
  general = { limit = 300, window = 60, key = "caller" },
}

fallback = { category = "general", limit = 60, windowSeconds = 60, keyBy = "ip", fallback = true }

function decide(input)
  local category = RULES[input.category] and input.category or "general"
  local rule = RULES[category]
  local key = rule.key
  if key == "caller" and not input.authenticated then key = "ip" end
  return { category = category, limit = rule.limit, windowSeconds = rule.window, keyBy = key }
end
