function test_auth_is_per_ip()
  assert_eq(decide({ category = "auth", authenticated = true }),
            { category = "auth", limit = 10, windowSeconds = 60, keyBy = "ip" })
end

function test_booking_per_caller()
  local d = decide({ category = "booking", authenticated = true })
  assert_eq(d.limit, 20)
  assert_eq(d.keyBy, "caller")
end

function test_anonymous_falls_back_to_ip()
  assert_eq(decide({ category = "queue", authenticated = false }).keyBy, "ip")
end

function test_unknown_category_is_general()
  assert_eq(decide({ category = "weird" }).category, "general")
end
