// Publishing, reloading and watching: decisions switch atomically between whole revisions.
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

#ifndef ADMIT_POLICIES_DIR
#error "ADMIT_POLICIES_DIR must name the repository's policies/ folder"
#endif

namespace admit::policy {
namespace {

using namespace std::chrono_literals;
using testing::ScratchDir;
using testing::versioned_policy;

PolicyOptions options_for(const ScratchDir& dir) {
    PolicyOptions options;
    options.dir = dir.path();
    options.watch_debounce = 100ms;
    return options;
}

// Polls condition every 5 ms until it holds or timeout passes.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

TEST(EngineReload, HundredReloadsUnderConcurrentEvaluation) {
    ScratchDir dir;
    dir.write("p.lua", versioned_policy(0));
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());

    constexpr int kReloads = 100;
    std::map<std::string, int> version_of_revision;
    for (int version = 0; version <= kReloads; ++version) {
        version_of_revision[revision_of(versioned_policy(version), "")] = version;
    }
    const unsigned threads = std::max(2u, std::thread::hardware_concurrency());
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> answers{0}, failures{0};
    std::vector<std::set<int>> seen(threads);
    auto saw_last = std::make_unique<std::atomic<bool>[]>(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            int last_version = 0;
            while (!stop.load()) {
                auto decision = engine.evaluate("p", R"({"x":1})");
                answers.fetch_add(1);
                if (!decision.ok() || decision.value().fallback_used) {
                    failures.fetch_add(1);
                    continue;
                }
                auto known = version_of_revision.find(decision.value().revision);
                const int version = known == version_of_revision.end() ? -1 : known->second;
                const std::string expected =
                    R"({"echo":1,"version":)" + std::to_string(version) + "}";
                // An answer belongs to exactly one revision, and a thread never goes back.
                if (version < last_version || decision.value().json != expected)
                    failures.fetch_add(1);
                last_version = version;
                seen[t].insert(version);
                if (version == kReloads) saw_last[t] = true;
            }
        });
    }
    for (int version = 1; version <= kReloads; ++version) {
        auto report = engine.publish("p", versioned_policy(version), "test", false);
        ASSERT_TRUE(report.ok()) << report.error().message;
        ASSERT_EQ(report.value().result, PublishResult::published);
        std::this_thread::sleep_for(1ms);
    }
    const bool all_saw_last = eventually(
        [&] {
            for (unsigned t = 0; t < threads; ++t) {
                if (!saw_last[t]) return false;
            }
            return true;
        },
        10s);
    stop = true;
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(failures.load(), 0u) << "of " << answers.load() << " answers";
    EXPECT_TRUE(all_saw_last) << "a thread never saw the last revision";
    std::set<int> versions_answered;
    for (const auto& versions : seen) versions_answered.insert(versions.begin(), versions.end());
    EXPECT_GT(versions_answered.size(), 2u) << "evaluations did not overlap the reloads";
    EXPECT_EQ(engine.history("p").size(), kReloads + 1u);
}

TEST(EngineReload, FileEditIsServedWithinASecondAndBrokenSaveChangesNothing) {
    ScratchDir dir;
    auto real = [](const char* file) { return std::filesystem::path(ADMIT_POLICIES_DIR) / file; };
    std::filesystem::copy_file(real("fees.lua"), dir.path() / "fees.lua");
    std::filesystem::copy_file(real("fees_test.lua"), dir.path() / "fees_test.lua");
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());
    ASSERT_TRUE(engine.start_watching().ok());
    const std::string input = R"({"kind":"booking","tier":"GOLD","quantity":1})";
    auto before = engine.evaluate("fees", input);
    ASSERT_TRUE(before.ok());
    EXPECT_NE(before.value().json.find(R"("amount":2000)"), std::string::npos);

    // Staff raise the GOLD fee and update its test in the same save.
    std::string policy = *[&] {
        std::ifstream in(dir.path() / "fees.lua");
        return std::make_optional(std::string(std::istreambuf_iterator<char>(in), {}));
    }();
    std::string tests = *[&] {
        std::ifstream in(dir.path() / "fees_test.lua");
        return std::make_optional(std::string(std::istreambuf_iterator<char>(in), {}));
    }();
    auto replace = [](std::string& text, const std::string& from, const std::string& to) {
        auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
    };
    replace(policy, "GOLD = 2000", "GOLD = 2500");
    replace(tests, "quantity = 1 }).amount, 2000)", "quantity = 1 }).amount, 2500)");
    replace(tests, "perTicket = 2000,\n              quantity = 3, amount = 6000",
            "perTicket = 2500,\n              quantity = 3, amount = 7500");
    const auto saved_at = std::chrono::steady_clock::now();
    dir.write("fees_test.lua", tests);
    dir.write("fees.lua", policy);
    std::string new_revision;
    ASSERT_TRUE(eventually(
        [&] {
            auto decision = engine.evaluate("fees", input);
            if (decision.ok() &&
                decision.value().json.find(R"("amount":2500)") != std::string::npos) {
                new_revision = decision.value().revision;
                return true;
            }
            return false;
        },
        1s))
        << "the edit was not served within a second";
    EXPECT_LT(std::chrono::steady_clock::now() - saved_at, 1s);
    EXPECT_EQ(new_revision, revision_of(policy, tests));

    // A broken save: reported, but decisions and revision stay.
    dir.write("fees.lua", "fallback = {}\nfunction decide(input\n");
    ASSERT_TRUE(eventually(
        [&] {
            auto infos = engine.list();
            return infos.size() == 1 && infos[0].last_attempt.result == PublishResult::rejected;
        },
        2s));
    const auto info = engine.list().at(0);
    EXPECT_EQ(info.live_revision, new_revision);
    EXPECT_EQ(info.last_attempt.actor, "file-watcher");
    EXPECT_EQ(info.last_attempt.problem.file, "fees.lua");
    EXPECT_EQ(info.last_attempt.problem.line, 3);
    auto after = engine.evaluate("fees", input);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after.value().revision, new_revision);
    EXPECT_FALSE(after.value().fallback_used);
    EXPECT_NE(after.value().json.find(R"("amount":2500)"), std::string::npos);
    engine.stop_watching();
}

TEST(EngineReload, ReloadAllPicksUpChangedAndNewFiles) {
    ScratchDir dir;
    dir.write("a.lua", versioned_policy(1));
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());
    dir.write("a.lua", versioned_policy(2));
    dir.write("b.lua", versioned_policy(3));
    auto reports = engine.reload_all("sighup");
    ASSERT_EQ(reports.size(), 2u);
    for (const auto& report : reports) {
        EXPECT_EQ(report.result, PublishResult::published) << report.name;
        EXPECT_EQ(report.actor, "sighup");
    }
    EXPECT_EQ(engine.evaluate("a", "{}").value().json, R"({"version":2})");
    EXPECT_EQ(engine.evaluate("b", "{}").value().json, R"({"version":3})");
    auto again = engine.reload_all("sighup");
    for (const auto& report : again) EXPECT_EQ(report.result, PublishResult::unchanged);
}

TEST(EngineReload, PolicyFailingAtFirstLoadIsReportedAndAbsent) {
    ScratchDir dir;
    dir.write("good.lua", versioned_policy(1));
    dir.write("bad.lua", "this is not lua");
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());
    EXPECT_TRUE(engine.evaluate("good", "{}").ok());
    auto bad = engine.evaluate("bad", "{}");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "POLICY_NOT_FOUND");
    for (const auto& info : engine.list()) {
        if (info.name != "bad") continue;
        EXPECT_TRUE(info.live_revision.empty());
        EXPECT_EQ(info.last_attempt.result, PublishResult::rejected);
        EXPECT_EQ(info.last_attempt.actor, "startup");
    }
}

TEST(EngineReload, AdminPublishWritesTheFileAndRecordsTheActor) {
    ScratchDir dir;
    dir.write("p.lua", versioned_policy(1));
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());
    auto report = engine.publish("p", versioned_policy(2), "admin:alice");
    ASSERT_TRUE(report.ok()) << report.error().message;
    std::ifstream in(dir.path() / "p.lua");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), versioned_policy(2));
    EXPECT_EQ(engine.source("p").value(), versioned_policy(2));
    const auto records = engine.history("p");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].actor, "startup");
    EXPECT_EQ(records[1].actor, "admin:alice");
    EXPECT_EQ(records[1].previous_revision, records[0].revision);
    auto rejected = engine.publish("p", "nonsense(", "admin:bob");
    ASSERT_FALSE(rejected.ok());
    std::ifstream again(dir.path() / "p.lua");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(again), {}), versioned_policy(2))
        << "a rejected revision must not reach the disk";
    EXPECT_FALSE(engine.publish("../etc/passwd", "x", "admin:eve").ok());
}

TEST(EngineReload, VenueOverrideReplacesOnePolicy) {
    ScratchDir dir, venue;
    dir.write("p.lua", versioned_policy(1));
    dir.write("q.lua", versioned_policy(2));
    venue.write("p_venue.lua", versioned_policy(9));
    PolicyOptions options = options_for(dir);
    options.overrides["p"] = venue.path() / "p_venue.lua";
    PolicyEngine engine(options);
    ASSERT_TRUE(engine.load_all().ok());
    EXPECT_EQ(engine.evaluate("p", "{}").value().json, R"({"version":9})");
    EXPECT_EQ(engine.evaluate("q", "{}").value().json, R"({"version":2})");
    ASSERT_TRUE(engine.start_watching().ok());
    venue.write("p_venue.lua", versioned_policy(10));
    EXPECT_TRUE(eventually(
        [&] { return engine.evaluate("p", "{}").value().json == R"({"version":10})"; }, 2s));
}

TEST(EngineReload, DryRunEvaluatesLiveOrSuppliedSourceWithoutPublishing) {
    ScratchDir dir;
    dir.write("p.lua", versioned_policy(1));
    PolicyEngine engine(options_for(dir));
    ASSERT_TRUE(engine.load_all().ok());
    auto live = engine.dry_run("p", std::nullopt, R"({"x":"a"})");
    ASSERT_TRUE(live.ok());
    EXPECT_EQ(live.value().json, R"({"echo":"a","version":1})");
    EXPECT_EQ(live.value().revision, revision_of(versioned_policy(1), ""));
    auto supplied = engine.dry_run("p", versioned_policy(5), R"({"x":"b"})");
    ASSERT_TRUE(supplied.ok());
    EXPECT_EQ(supplied.value().json, R"({"echo":"b","version":5})");
    EXPECT_EQ(engine.evaluate("p", "{}").value().json, R"({"version":1})");
    auto broken = engine.dry_run("p", std::string("nope("), "{}");
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, "POLICY_REJECTED");
    EXPECT_EQ(engine.list().at(0).counters.evaluations, 1u);
}

}  // namespace
}  // namespace admit::policy
