function test_default_is_four()
  assert_eq(decide({ scheduleId = "s1", owned = 0, requested = 4 }),
            { maxPerUser = 4, allowed = true, remaining = 4, maxHoldsPerWindow = 10,
              holdWindowSeconds = 86400 })
end

function test_over_the_limit_is_refused()
  local d = decide({ scheduleId = "s1", owned = 2, requested = 3 })
  assert_eq(d.allowed, false)
  assert_eq(d.remaining, 2)
end

function test_at_the_limit()
  assert_eq(decide({ scheduleId = "s1", owned = 4, requested = 1 }).allowed, false)
  assert_eq(decide({ scheduleId = "s1", owned = 3, requested = 1 }).allowed, true)
end

function test_zero_requested_is_refused()
  assert_eq(decide({ scheduleId = "s1", owned = 0, requested = 0 }).allowed, false)
end

function test_holds_over_time_are_bounded_too()
  -- holding, releasing and holding again is bounded per schedule whatever the user owns now
  local d = decide({ scheduleId = "s1", owned = 0, requested = 1 })
  assert_eq(d.maxHoldsPerWindow, 10)
  assert_eq(d.holdWindowSeconds, 86400)
  assert_eq(fallback.maxHoldsPerWindow, 10)
end
