// Value types shared by the policy engine, its validator and the offline checker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace admit::policy {

// Wall-clock seconds since the Unix epoch (fractional). Policies read it through `now()`.
// Must be callable from any thread.
using Clock = std::function<double()>;

// The system clock as a Clock.
Clock system_clock();

// Bounds of one call into Lua (a decide() call, a chunk's top level, or one test function).
// Work done in C on a script's behalf (pattern matching) is charged to instructions too.
struct Limits {
    std::uint64_t instructions = 1'000'000;
    std::size_t memory_bytes = 8u << 20;  // on top of what the state held before the call
    std::chrono::microseconds deadline{50'000};
    // Not a bound of one call: what a state may keep across calls on top of what it held right
    // after loading its policies (tables captured in closures, contents of top-level tables).
    // Checked after each call; see PolicyWorker.
    std::size_t retained_bytes = 16u << 20;
};

struct PolicyOptions {
    std::filesystem::path dir;  // every <name>.lua here is a policy, <name>_test.lua its tests
    // A venue may replace single policies: name -> file. The tests for an overridden policy are
    // <file stem>_test.lua next to that file, or else <dir>/<name>_test.lua.
    std::map<std::string, std::filesystem::path> overrides;
    std::uint64_t instruction_budget = 1'000'000;
    std::size_t memory_limit_bytes = 8u << 20;
    std::chrono::microseconds deadline{50'000};
    // Memory a worker's Lua state may keep across calls beyond what its loaded policies hold
    // (see Limits::retained_bytes); past it the state is collected, then rebuilt.
    std::size_t retained_memory_bytes = 16u << 20;
    // Test functions run with these limits multiplied by test_limit_factor (they call decide()
    // several times).
    std::uint32_t test_limit_factor = 20;
    Clock clock;                      // empty: system_clock()
    std::size_t history_limit = 200;  // records kept per policy
    std::chrono::milliseconds watch_debounce{100};

    Limits call_limits() const {
        return {instruction_budget, memory_limit_bytes, deadline, retained_memory_bytes};
    }
    Limits test_limits() const {
        return {instruction_budget * test_limit_factor, memory_limit_bytes * test_limit_factor,
                deadline * test_limit_factor, retained_memory_bytes};
    }
};

// One policy decision. When the call was bounded or failed, json is the policy's declared
// fallback, fallback_used is true and error says why.
struct Decision {
    std::string json;
    std::string revision;
    bool fallback_used = false;
    std::string error;
    bool always_record = false;  // the policy's schema declares money or time fields
    std::string scope;           // which scope decided: "" venue-wide, else the variant's
};

// Why a revision was rejected. file/line are empty/0 when the message carries no location.
struct PolicyProblem {
    std::string file;
    int line = 0;
    std::string message;
    std::string failing_test;  // empty unless a test_* function failed

    // "fees.lua:12: message (test test_gold)".
    std::string describe() const;
};

// checked: validated and tested, not published (a dry check, or waiting for approval: pending).
enum class PublishResult { published, unchanged, rejected, checked, pending };
const char* to_string(PublishResult result);

// The record of one publish attempt (also what history() returns).
struct PublishReport {
    std::string name;
    std::string revision;           // revision of the attempted sources
    std::string previous_revision;  // live revision before the attempt ("" if none)
    PublishResult result = PublishResult::rejected;
    PolicyProblem problem;  // set when rejected
    int tests_run = 0;
    int tests_passed = 0;
    std::string actor;  // "admin:<user>", "file-watcher", "sighup", "startup", ...
    std::chrono::system_clock::time_point at;
};

// Counters per policy name; they survive revisions.
struct PolicyCountersSnapshot {
    std::uint64_t evaluations = 0;
    std::uint64_t fallbacks = 0;
    std::uint64_t publishes = 0;
    std::uint64_t rejects = 0;
    std::uint64_t state_resets = 0;  // worker states rebuilt after this policy kept too much
};

struct PolicyInfo {
    std::string name;
    std::string live_revision;  // "" when no revision ever passed validation
    std::filesystem::path source_path;
    bool has_last_attempt = false;
    PublishReport last_attempt;
    PolicyCountersSnapshot counters;
};

}  // namespace admit::policy
