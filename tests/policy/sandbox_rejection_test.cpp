// Bad revisions are rejected with a clear message and the previous revision keeps answering.
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>
#include <lua.hpp>

namespace admit::policy {
namespace {

using testing::ScratchDir;
using testing::versioned_policy;

class RejectionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_.write("p.lua", versioned_policy(1));
        PolicyOptions options;
        options.dir = dir_.path();
        options.instruction_budget = 200'000;
        options.memory_limit_bytes = 1u << 20;
        options.deadline = std::chrono::milliseconds(200);
        options.test_limit_factor = 2;
        engine_ = std::make_unique<PolicyEngine>(options);
        ASSERT_TRUE(engine_->load_all().ok());
        live_revision_ = revision_of(versioned_policy(1), "");
        expect_previous_revision_answers();
    }

    void expect_previous_revision_answers() {
        auto decision = engine_->evaluate("p", R"({"x": 7})");
        ASSERT_TRUE(decision.ok()) << decision.error().message;
        EXPECT_FALSE(decision.value().fallback_used) << decision.value().error;
        EXPECT_EQ(decision.value().revision, live_revision_);
        EXPECT_EQ(decision.value().json, R"({"echo":7,"version":1})");
    }

    // Publishes source (with tests when given) and expects a rejection mentioning `expected`.
    PolicyProblem expect_rejected(const std::string& source, const std::string& expected,
                                  const std::string& tests = "") {
        if (!tests.empty()) dir_.write("p_test.lua", tests);
        auto report = engine_->publish("p", source, "test", false);
        EXPECT_FALSE(report.ok());
        if (report.ok()) return {};
        EXPECT_EQ(report.error().code, "POLICY_REJECTED");
        EXPECT_NE(report.error().message.find(expected), std::string::npos)
            << report.error().message;
        expect_previous_revision_answers();
        auto records = engine_->history("p");
        EXPECT_FALSE(records.empty());
        if (records.empty()) return {};
        EXPECT_EQ(records.back().result, PublishResult::rejected);
        EXPECT_EQ(records.back().previous_revision, live_revision_);
        return records.back().problem;
    }

    ScratchDir dir_;
    std::unique_ptr<PolicyEngine> engine_;
    std::string live_revision_;
};

TEST_F(RejectionTest, SyntaxError) {
    PolicyProblem problem = expect_rejected("fallback = {}\nfunction decide(input\n", "p.lua:3:");
    EXPECT_EQ(problem.file, "p.lua");
    EXPECT_EQ(problem.line, 3);
    EXPECT_NE(problem.message.find("expected"), std::string::npos) << problem.message;
}

TEST_F(RejectionTest, RuntimeErrorAtLoad) {
    PolicyProblem problem = expect_rejected(
        "fallback = {}\nlocal broken = nil\nlocal x = broken + 1\nfunction decide() return {} end",
        "attempt to perform arithmetic");
    EXPECT_EQ(problem.line, 3);
}

TEST_F(RejectionTest, MissingDecideOrFallback) {
    expect_rejected("fallback = {}\n", "must define function decide");
    expect_rejected("function decide() return {} end\n", "must declare a table fallback");
}

TEST_F(RejectionTest, InfiniteLoopAtLoad) {
    expect_rejected("fallback = {}\nwhile true do end\nfunction decide() return {} end",
                    "instruction budget of 200000 instructions exceeded");
}

TEST_F(RejectionTest, InfiniteLoopInDecideCaughtByTest) {
    PolicyProblem problem =
        expect_rejected("fallback = {}\nfunction decide(input)\n  while true do end\nend",
                        "instruction budget", "function test_loops() decide({}) end\n");
    EXPECT_EQ(problem.failing_test, "test_loops");
}

TEST_F(RejectionTest, PcallCannotSwallowTheBudget) {
    expect_rejected(
        "fallback = {}\npcall(function() while true do end end)\n"
        "function decide() return {} end",
        "instruction budget");
}

TEST_F(RejectionTest, MemoryBomb) {
    expect_rejected(
        "fallback = {}\nlocal s = 'x'\nwhile true do s = s .. s end\n"
        "function decide() return {} end",
        "memory limit of 1048576 bytes exceeded");
    expect_rejected(
        "fallback = {}\nlocal s = string.rep('x', 1 << 30)\n"
        "function decide() return {} end",
        "memory limit");
}

TEST_F(RejectionTest, ForbiddenLibraries) {
    const std::pair<const char*, const char*> cases[] = {
        {"io.open('/etc/passwd')", "'io' is not available in policies"},
        {"os.time()", "'os' is not available in policies (use now() for the clock)"},
        {"debug.getinfo(1)", "'debug' is not available"},
        {"package.loaded.x = 1", "'package' is not available"},
        {"require('socket')", "'require' is not available"},
        {"load('return 1')()", "'load' is not available"},
        {"loadstring('return 1')", "'loadstring' is not available"},
        {"dofile('/etc/passwd')", "'dofile' is not available"},
        {"collectgarbage()", "'collectgarbage' is not available"},
        {"rawset(_ENV, 'x', 1)", "'rawset' is not available"},
        {"string.dump(function() end)", "string.dump is not available"},
        {"local s = ('x'):dump()", "string.dump is not available"},  // via the string metatable
        {"string.upper = nil", "'string' is read-only"},
        {"math.random()", "math.random is not available"},
        {"getmetatable('').__index.dump = nil", "attempt to index a boolean value"},
        {"setmetatable({}, { __gc = function() while true do end end })",
         "__gc metamethods are not available"},
        {"setmetatable(_ENV, nil)", "cannot change a protected metatable"},
    };
    for (const auto& [statement, expected] : cases) {
        SCOPED_TRACE(statement);
        expect_rejected(
            std::string("fallback = {}\n") + statement + "\nfunction decide() return {} end",
            expected);
    }
}

TEST_F(RejectionTest, OrdinaryMetatablesStillWork) {
    auto report = engine_->publish("p",
                                   "local Point = {}\nPoint.__index = Point\n"
                                   "function Point.sum(p) return p.x + p.y end\n"
                                   "fallback = {}\n"
                                   "function decide(input)\n"
                                   "  local p = setmetatable({ x = input.x, y = 2 }, Point)\n"
                                   "  return { sum = p:sum() }\n"
                                   "end\n",
                                   "test", false);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(engine_->evaluate("p", R"({"x":40})").value().json, R"({"sum":42})");
}

TEST_F(RejectionTest, GlobalWriteInDecide) {
    PolicyProblem problem = expect_rejected(
        "fallback = {}\nfunction decide(input)\n  counter = (counter or 0) + 1\n  return {}\nend",
        "assignment to undeclared global 'counter'", "function test_counts() decide({}) end\n");
    EXPECT_EQ(problem.file, "p.lua");
    EXPECT_EQ(problem.line, 3);
    EXPECT_EQ(problem.failing_test, "test_counts");
}

TEST_F(RejectionTest, BytecodeChunk) {
    lua_State* L = luaL_newstate();
    ASSERT_EQ(luaL_loadstring(L, "fallback = {} function decide() return {} end"), LUA_OK);
    std::string bytecode;
    lua_dump(
        L,
        [](lua_State*, const void* data, size_t size, void* out) {
            static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
            return 0;
        },
        &bytecode, 0);
    lua_close(L);
    ASSERT_EQ(bytecode.substr(0, 4), "\x1bLua");
    expect_rejected(bytecode, "attempt to load a binary chunk");
}

TEST_F(RejectionTest, FailingPolicyTest) {
    PolicyProblem problem = expect_rejected(
        versioned_policy(2), "expected 3, got 2",
        "function test_a_passes() assert_eq(decide({}).version, 2) end\n"
        "function test_b_fails()\n  assert_eq(decide({}).version, 3, 'version')\nend\n");
    EXPECT_EQ(problem.failing_test, "test_b_fails");
    EXPECT_EQ(problem.file, "p_test.lua");
    EXPECT_EQ(problem.line, 3);
    EXPECT_EQ(problem.message, "version: expected 3, got 2");
    EXPECT_EQ(engine_->history("p").back().tests_passed, 1);
}

TEST_F(RejectionTest, BrokenTestFile) {
    expect_rejected(versioned_policy(2), "p_test.lua:2:", "function test_x(\n");
}

TEST_F(RejectionTest, GoodRevisionPublishesAfterRejections) {
    expect_rejected("garbage(", "p.lua:1:");
    auto report = engine_->publish("p", versioned_policy(2), "test", false);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report.value().result, PublishResult::published);
    auto decision = engine_->evaluate("p", "{}");
    ASSERT_TRUE(decision.ok());
    EXPECT_EQ(decision.value().json, R"({"version":2})");
    EXPECT_EQ(decision.value().revision, revision_of(versioned_policy(2), ""));
}

}  // namespace
}  // namespace admit::policy
