function test_default_windows()
  set_now(1000)
  local d = decide({})
  assert_eq(d.holdSeconds, 300)
  assert_eq(d.paymentSeconds, 600)
  assert_eq(d.holdExpiresAt, 1300)
  assert_eq(d.paymentExpiresAt, 1600)
end

function test_known_category()
  local d = decide({ category = "concert" })
  assert_eq(d.category, "concert")
  assert_eq(d.holdSeconds, 300)
end

function test_unknown_category_uses_default()
  assert_eq(decide({ category = "circus" }).paymentSeconds, 600)
end
