function test_unlimited_for_every_category()
  for _, category in ipairs({ "auth", "queue", "booking", "general" }) do
    local d = decide({ category = category, authenticated = true })
    assert(d.limit == 0, category .. " must be unlimited in the benchmark venue")
  end
end
