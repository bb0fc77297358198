// Escapes from the policy sandbox's bounds (security issue item 1): finalizers, catastrophic
// patterns and memory kept across calls are refused or stopped, the last good revision keeps
// serving, and the host stays responsive.
//
// Scenarios that would hang the process without the fix (a finalizer or the C matcher running
// with no hook) run in a forked child with an alarm: a hang ends the child by SIGALRM and fails
// the test instead of the whole suite.
#include "host/policy/bounded_patterns.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

namespace admit::policy {
namespace {

using testing::ScratchDir;
using testing::versioned_policy;

// Runs scenario() in a child process that must finish (exit 0, no failed expectation) in 20 s.
#define EXPECT_FINISHES(scenario)                              \
    EXPECT_EXIT(                                               \
        {                                                      \
            ::alarm(20);                                       \
            scenario();                                        \
            std::_Exit(::testing::Test::HasFailure() ? 1 : 0); \
        },                                                     \
        ::testing::ExitedWithCode(0), "")

struct Engine {
    ScratchDir dir;
    std::unique_ptr<PolicyEngine> engine;
    std::string good_revision;

    // Publishes p.lua (a good revision answering version 1) and, when given, q.lua.
    explicit Engine(const std::string& q_source = "", std::size_t retained = 16u << 20) {
        dir.write("p.lua", versioned_policy(1));
        if (!q_source.empty()) dir.write("q.lua", q_source);
        PolicyOptions options;
        options.dir = dir.path();
        options.memory_limit_bytes = 1u << 20;
        options.retained_memory_bytes = retained;
        options.test_limit_factor = 2;
        engine = std::make_unique<PolicyEngine>(options);
        EXPECT_TRUE(engine->load_all().ok());
        good_revision = revision_of(versioned_policy(1), "");
    }

    // The last good revision of p answers correctly and promptly.
    void expect_good_revision_serves() {
        const auto started = std::chrono::steady_clock::now();
        auto decision = engine->evaluate("p", R"({"x": 7})");
        ASSERT_TRUE(decision.ok()) << decision.error().message;
        EXPECT_FALSE(decision.value().fallback_used) << decision.value().error;
        EXPECT_EQ(decision.value().revision, good_revision);
        EXPECT_EQ(decision.value().json, R"({"echo":7,"version":1})");
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    }

    // Publishing source as p is refused with a message containing `expected`.
    void expect_rejected(const std::string& source, const std::string& expected,
                         const std::string& tests = "") {
        if (!tests.empty()) dir.write("p_test.lua", tests);
        auto report = engine->publish("p", source, "test", false);
        if (!tests.empty()) std::filesystem::remove(dir.path() / "p_test.lua");
        ASSERT_FALSE(report.ok()) << "published: " << source;
        EXPECT_EQ(report.error().code, "POLICY_REJECTED");
        EXPECT_NE(report.error().message.find(expected), std::string::npos)
            << report.error().message;
        expect_good_revision_serves();
    }

    Decision evaluate(const std::string& name, const std::string& input) {
        auto decision = engine->evaluate(name, input);
        EXPECT_TRUE(decision.ok()) << decision.error().message;
        return decision.ok() ? decision.value() : Decision{};
    }
};

// --- (1) finalizers --------------------------------------------------------------------------

void gc_payload_at_publish() {
    Engine e;
    e.expect_rejected(
        "fallback = {}\n"
        "getmetatable(array()).__gc = function() while true do end end\n"
        "local keep = {}\n"
        "for i = 1, 1000 do keep[i] = array({ i }) end\n"
        "function decide() return {} end\n",
        "attempt to index a boolean value");
    e.expect_rejected(
        "fallback = {}\n"
        "setmetatable({}, { __gc = function() while true do end end })\n"
        "function decide() return {} end\n",
        "__gc metamethods are not available");
    // A __gc field of any value marks the object; a function put there later would run.
    e.expect_rejected(
        "fallback = {}\nlocal mt = { __gc = false }\nlocal t = setmetatable({}, mt)\n"
        "mt.__gc = function() while true do end end\nfunction decide() return {} end\n",
        "__gc metamethods are not available");
}

TEST(SandboxEscape, GcPayloadOnTheArrayMetatableIsRefusedAtPublish) {
    EXPECT_FINISHES(gc_payload_at_publish);
}

// A revision that passes validation tries the payload on every call; it must stay harmless:
// arrays made afterwards (by array() and from inputs) never get a finalizer, collections run
// no script, and both policies keep answering.
void gc_payload_in_decide() {
    Engine e(
        "fallback = { safe = true }\n"
        "function decide(input)\n"
        "  local armed = pcall(function()\n"
        "    getmetatable(array()).__gc = function() while true do end end\n"
        "  end)\n"
        "  local made = {}\n"
        "  for i = 1, 50 do made[i] = array({ i, i + 1 }) end\n"
        "  return { armed = armed, count = #input.items + #made }\n"
        "end\n");
    std::string input = R"({"items":[)";
    for (int i = 0; i < 200; ++i) input += (i > 0 ? ",[" : "[") + std::to_string(i) + "]";
    input += "]}";
    const auto started = std::chrono::steady_clock::now();
    for (int call = 0; call < 300; ++call) {  // allocates enough for many collection cycles
        Decision decision = e.evaluate("q", input);
        ASSERT_FALSE(decision.fallback_used) << decision.error;
        ASSERT_EQ(decision.json, R"({"armed":false,"count":250})");
        e.expect_good_revision_serves();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(SandboxEscape, GcPayloadInDecideIsHarmless) { EXPECT_FINISHES(gc_payload_in_decide); }

TEST(SandboxEscape, HostMetatablesAreProtected) {
    Engine e;
    const std::pair<const char*, const char*> cases[] = {
        {"setmetatable(array(), {})", "cannot change a protected metatable"},
        {"array(string)", "cannot change a protected metatable"},  // would unset its __index
        {"array(_ENV)", "cannot change a protected metatable"},    // would unfreeze globals
        {"setmetatable({}, { __mode = 'k' })", "weak tables (__mode) are not available"},
        {"local s = getmetatable('') .. ''", "attempt to concatenate a boolean value"},
        {"local c = coroutine.create(print)", "'coroutine' is not available"},
        {"collectgarbage('step')", "'collectgarbage' is not available"},
    };
    for (const auto& [statement, expected] : cases) {
        SCOPED_TRACE(statement);
        e.expect_rejected(
            std::string("fallback = {}\n") + statement + "\nfunction decide() return {} end",
            expected);
    }
    // Arrays still work and still convert: array(array(t)) is allowed.
    auto report = e.engine->publish(
        "p", "fallback = {}\nfunction decide() return { a = array(array({})) } end\n", "t", false);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(e.evaluate("p", "{}").json, R"({"a":[]})");
}

// --- (2) catastrophic patterns ---------------------------------------------------------------

constexpr const char* kPatterns = R"lua(
fallback = { safe = true }
function decide(input)
  local s = string.rep("a", input.n)
  if input.mode == "find" then return { r = string.find(s, ".-.-.-.-.-.-.-b") } end
  if input.mode == "method" then return { r = s:match(".-.-.-.-.-.-.-b") } end
  if input.mode == "gsub" then return { r = s:gsub("a-a-a-a-a-b", "") } end
  if input.mode == "gmatch" then for w in s:gmatch(".-.-.-.-b") do end return {} end
  if input.mode == "optional" then
    return { r = string.find(string.rep("a", 30), string.rep("a?", 30) .. string.rep("a", 30)) }
  end
  if input.mode == "balanced" then return { r = string.find(string.rep("(", input.n), "%b()") } end
  if input.mode == "repeat" then
    for i = 1, 1e9 do string.find(s, ".-.-b") end
  end
  if input.mode == "simple" then
    return { trimmed = ("  " .. s .. "  "):match("^%s*(.-)%s*$"), at = s:find("a", 1, true) }
  end
  return {}
end
)lua";

void catastrophic_patterns() {
    Engine e(kPatterns);
    const std::pair<std::string, std::string> cases[] = {
        {R"({"mode":"find","n":5000})", "pattern too complex"},
        {R"({"mode":"method","n":5000})", "pattern too complex"},
        {R"({"mode":"gsub","n":5000})", "pattern too complex"},
        {R"({"mode":"gmatch","n":5000})", "pattern too complex"},
        {R"({"mode":"optional","n":0})", "pattern too complex"},
        {R"({"mode":"balanced","n":100000})", "pattern too complex"},
        // Many cheaper calls: the matcher's work is charged to the instruction budget.
        {R"({"mode":"repeat","n":30})", "instruction budget of 1000000 instructions exceeded"},
    };
    for (const auto& [input, expected] : cases) {
        SCOPED_TRACE(input);
        const auto started = std::chrono::steady_clock::now();
        Decision decision = e.evaluate("q", input);
        EXPECT_TRUE(decision.fallback_used);
        EXPECT_EQ(decision.json, R"({"safe":true})");
        EXPECT_NE(decision.error.find(expected), std::string::npos) << decision.error;
        // The deadline is 50 ms; the margin is for a loaded machine, a hang takes hours.
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
        e.expect_good_revision_serves();
    }
    Decision ordinary = e.evaluate("q", R"({"mode":"simple","n":200})");
    EXPECT_FALSE(ordinary.fallback_used) << ordinary.error;
    EXPECT_EQ(ordinary.json, R"({"at":1,"trimmed":")" + std::string(200, 'a') + R"("})");
}

TEST(SandboxEscape, CatastrophicPatternsAreStoppedWithinTheDeadline) {
    EXPECT_FINISHES(catastrophic_patterns);
}

void catastrophic_pattern_in_test() {
    Engine e;
    e.expect_rejected(
        "fallback = {}\nfunction decide(input)\n"
        "  return { r = string.find(string.rep('a', 5000), '.-.-.-.-.-.-.-b') }\nend\n",
        "pattern too complex", "function test_pattern() decide({}) end\n");
}

TEST(SandboxEscape, RevisionWhoseTestRunsACatastrophicPatternIsRejected) {
    EXPECT_FINISHES(catastrophic_pattern_in_test);
}

TEST(PatternCost, EstimatesFollowTheSubject) {
    const std::uint64_t limit = kMaxPatternSteps;
    const std::string a300(300, 'a');
    // No quantifier: one pass per start.
    EXPECT_EQ(estimate_pattern_cost(a300, "ab", true, limit).steps, 301u * 3u);
    EXPECT_EQ(estimate_pattern_cost(a300, "^ab", true, limit).steps, 4u);
    // A quantified class branches by its longest run in the subject (here: none of %d).
    EXPECT_LT(estimate_pattern_cost(a300, "^%d*$", true, limit).steps, 1000u);
    EXPECT_GT(estimate_pattern_cost(a300, ".-.-.-b", true, limit).steps, limit);
    EXPECT_GT(estimate_pattern_cost(a300, "a-a-a-b", true, limit).steps, limit);
    EXPECT_GT(estimate_pattern_cost(a300, "[^x]*[%a]*b*a*", true, limit).steps, limit);
    // gmatch has no anchor: '^' is a literal there.
    EXPECT_GT(estimate_pattern_cost(a300, "^ab", false, limit).steps, 300u);
    // Malformed patterns are estimated without reading past their end.
    EXPECT_GT(estimate_pattern_cost(a300, "[a", true, limit).steps, 0u);
    EXPECT_GT(estimate_pattern_cost(a300, "%", true, limit).steps, 0u);
}

constexpr const char* kTableLoops = R"lua(
fallback = { safe = true }
function decide(input)
  if input.mode == "move" then table.move({}, 1, 1e15, 2) end
  if input.mode == "len" then
    local t = setmetatable({}, { __len = function() return 1 << 53 end })
    table.insert(t, 1, "x")
  end
  if input.mode == "chain" then
    local t = {}
    for i = 1, 1000 do t = setmetatable({}, { __index = t, __newindex = t }) end
    return { s = #table.concat(t, "", 1, 1e6) }
  end
  if input.mode == "sort" then
    local t = {}
    for i = 1, 30000 do t[i] = i % 7 end
    table.sort(t)
  end
  if input.mode == "bytes" then
    local s = string.rep("a", 20000)
    for i = 1, 1e9 do string.byte(s, 1, -1) end
  end
  local t = array({ 3, 1, 2 })
  table.insert(t, 4)
  table.insert(t, 1, 0)
  table.remove(t, 2)
  table.sort(t)
  local moved = table.move(t, 1, #t, 1, {})
  return { s = table.concat(moved, ","), n = select("#", table.unpack(t)) }
end
)lua";

void table_loops() {
    Engine e(kTableLoops);
    const std::pair<std::string, std::string> cases[] = {
        {R"({"mode":"move"})", "instruction budget"},
        {R"({"mode":"len"})", "does not accept a table with a __len metamethod"},
        {R"({"mode":"chain"})", "instruction budget"},
        {R"({"mode":"sort"})", "instruction budget"},
        {R"({"mode":"bytes"})", "instruction budget"},
    };
    for (const auto& [input, expected] : cases) {
        SCOPED_TRACE(input);
        const auto started = std::chrono::steady_clock::now();
        Decision decision = e.evaluate("q", input);
        EXPECT_TRUE(decision.fallback_used);
        EXPECT_NE(decision.error.find(expected), std::string::npos) << decision.error;
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
        e.expect_good_revision_serves();
    }
    Decision ordinary = e.evaluate("q", R"({"mode":"ordinary"})");
    EXPECT_FALSE(ordinary.fallback_used) << ordinary.error;
    EXPECT_EQ(ordinary.json, R"({"n":4,"s":"0,1,2,4"})");
}

// The table library (and string.byte) loop in C too, where no hook fires: their work is charged
// to the budget.
TEST(SandboxEscape, TableLibraryLoopsAreCharged) { EXPECT_FINISHES(table_loops); }

// One VM instruction can copy megabytes: the allocator checks the deadline on large growths, so
// a loop of big concatenations ends near the deadline, not 1000 instructions (seconds) later.
TEST(SandboxEscape, LargeCopiesCannotOutrunTheDeadline) {
    ScratchDir dir;
    dir.write("big.lua",
              "fallback = { safe = true }\n"
              "function decide(input)\n"
              "  local s = string.rep('x', 16 << 20)\n"
              "  while true do local t = s .. 'y' end\n"
              "end\n");
    PolicyOptions options;
    options.dir = dir.path();
    options.instruction_budget = 1'000'000'000'000;
    options.memory_limit_bytes = 256u << 20;
    options.deadline = std::chrono::milliseconds(20);
    PolicyEngine engine(options);
    ASSERT_TRUE(engine.load_all().ok());
    // CPU time of this thread (the evaluation runs on it): the copies are CPU work, and a loaded
    // machine that preempts the test stretches wall time, not this.
    const auto thread_cpu = [] {
        timespec now{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
    };
    const auto started = thread_cpu();
    auto decision = engine.evaluate("big", "{}");
    const auto took = thread_cpu() - started;
    ASSERT_TRUE(decision.ok());
    EXPECT_TRUE(decision.value().fallback_used);
    EXPECT_NE(decision.value().error.find("deadline of 20000 us exceeded"), std::string::npos)
        << decision.value().error;
    // Without the allocator's check this took about 1 s (up to 333 copies of 16 MiB per hook).
    EXPECT_LT(took, std::chrono::milliseconds(300));
}

// --- (3) memory kept across calls ------------------------------------------------------------

constexpr const char* kHoarder = R"(
local kept = {}
fallback = { safe = true }
function decide(input)
  kept[#kept + 1] = string.rep("x", 1000) .. #kept
  return { n = #kept }
end
)";

TEST(SandboxEscape, MemoryGrownAcrossCallsIsStoppedAndTheStateRecovers) {
    Engine e(kHoarder, 256u << 10);
    std::int64_t last = 0;
    bool restarted = false;
    for (int call = 1; call <= 1000; ++call) {
        Decision decision = e.evaluate("q", "{}");
        ASSERT_FALSE(decision.fallback_used) << decision.error;
        const auto n = std::stoll(decision.json.substr(decision.json.find(':') + 1));
        if (n <= last) restarted = true;
        last = n;
        // Never more than the retained limit's worth (256 KiB of 1 kB strings) plus slack.
        ASSERT_LT(n, 400) << "call " << call;
    }
    EXPECT_TRUE(restarted);
    auto infos = e.engine->list();
    for (const auto& info : infos) {
        if (info.name == "q") {
            EXPECT_GE(info.counters.state_resets, 2u);
        } else {
            EXPECT_EQ(info.counters.state_resets, 0u) << info.name;
        }
    }
    e.expect_good_revision_serves();
}

TEST(SandboxEscape, RevisionWhoseTestsKeepTooMuchIsRejected) {
    Engine e("", 256u << 10);
    e.expect_rejected(kHoarder, "bytes across calls (limit 262144)",
                      "function test_many() for i = 1, 1000 do decide({}) end end\n");
}

}  // namespace
}  // namespace admit::policy
