-- Benchmark venue only: no request limits (limit 0 means unlimited to the host's guard).
fallback = { category = "general", limit = 0, windowSeconds = 60, keyBy = "ip" }

function decide(input)
  return { category = input.category or "general", limit = 0, windowSeconds = 60, keyBy = "ip" }
end
