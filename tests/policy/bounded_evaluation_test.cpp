// A call that fails or exceeds a limit answers the fallback decision; the thread's state is
// unharmed and the next call answers normally.
#include "host/policy/policy_engine.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace admit::policy {
namespace {

using testing::ScratchDir;

constexpr const char* kMisbehaving = R"(
fallback = { safe = true }
function decide(input)
  local mode = input.mode
  if mode == "loop" then while true do end end
  if mode == "memory" then local s = "x" while true do s = s .. s end end
  if mode == "table_memory" then local t = {} for i = 1, 1e9 do t[i] = i end end
  if mode == "error" then error("boom") end
  if mode == "global" then leaked = 1 end
  if mode == "swallow" then pcall(function() while true do end end) end
  if mode == "nested_swallow" then
    while true do pcall(function() while true do end end) end
  end
  if mode == "swallow_memory" then
    for i = 1, 1e9 do pcall(function() local s = "x" while true do s = s .. s end end) end
  end
  if mode == "not_a_table" then return 42 end
  if mode == "clock" then return { now = now() } end
  return { ok = true }
end
)";

class BoundedEvaluationTest : public ::testing::Test {
  protected:
    void start(std::uint64_t budget, std::chrono::microseconds deadline) {
        dir_.write("m.lua", kMisbehaving);
        PolicyOptions options;
        options.dir = dir_.path();
        options.instruction_budget = budget;
        options.memory_limit_bytes = 1u << 20;
        options.deadline = deadline;
        options.clock = [] { return 1234.5; };
        engine_ = std::make_unique<PolicyEngine>(options);
        ASSERT_TRUE(engine_->load_all().ok());
    }

    void expect_fallback(const std::string& mode, const std::string& expected_error) {
        auto decision = engine_->evaluate("m", R"({"mode":")" + mode + R"("})");
        ASSERT_TRUE(decision.ok()) << decision.error().message;
        EXPECT_TRUE(decision.value().fallback_used);
        EXPECT_EQ(decision.value().json, R"({"safe":true})");
        EXPECT_NE(decision.value().error.find(expected_error), std::string::npos)
            << decision.value().error;
        EXPECT_FALSE(decision.value().revision.empty());
        auto next = engine_->evaluate("m", R"({"mode":"fine"})");
        ASSERT_TRUE(next.ok());
        EXPECT_FALSE(next.value().fallback_used) << next.value().error;
        EXPECT_EQ(next.value().json, R"({"ok":true})");
    }

    ScratchDir dir_;
    std::unique_ptr<PolicyEngine> engine_;
};

TEST_F(BoundedEvaluationTest, EachFailureAnswersTheFallback) {
    start(100'000, std::chrono::seconds(5));
    expect_fallback("loop", "m.lua:5: instruction budget of 100000 instructions exceeded");
    expect_fallback("memory", "memory limit of 1048576 bytes exceeded");
    expect_fallback("error", "m.lua:8: boom");
    expect_fallback("global", "m.lua:9: assignment to undeclared global 'leaked'");
    expect_fallback("swallow", "instruction budget");
    expect_fallback("nested_swallow", "instruction budget");
    expect_fallback("swallow_memory", "exceeded");  // the budget, or the deadline when slow
    expect_fallback("not_a_table", "decide must return a table, got number");
    auto infos = engine_->list();
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].counters.fallbacks, 8u);
    EXPECT_EQ(infos[0].counters.evaluations, 16u);
}

TEST_F(BoundedEvaluationTest, MemoryCapHoldsAgainstLargeTables) {
    start(1'000'000'000, std::chrono::seconds(10));
    expect_fallback("table_memory", "memory limit");
}

TEST_F(BoundedEvaluationTest, DeadlineEndsALongCall) {
    start(1'000'000'000'000, std::chrono::milliseconds(20));
    const auto started = std::chrono::steady_clock::now();
    expect_fallback("loop", "deadline of 20000 us exceeded");
    expect_fallback("nested_swallow", "deadline of 20000 us exceeded");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST_F(BoundedEvaluationTest, ClockIsInjected) {
    start(100'000, std::chrono::seconds(5));
    auto decision = engine_->evaluate("m", R"({"mode":"clock"})");
    ASSERT_TRUE(decision.ok());
    EXPECT_EQ(decision.value().json, R"({"now":1234.5})");
}

TEST_F(BoundedEvaluationTest, UnknownPolicyAndBadInputAreErrors) {
    start(100'000, std::chrono::seconds(5));
    auto missing = engine_->evaluate("nope", "{}");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, "POLICY_NOT_FOUND");
    auto bad = engine_->evaluate("m", "{not json");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "POLICY_BAD_INPUT");
}

}  // namespace
}  // namespace admit::policy
