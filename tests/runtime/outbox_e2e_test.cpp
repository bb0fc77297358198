// The transactional outbox through a real admitd and real PostgreSQL: an event committed before a
// kill -9 is delivered after the restart, its effect happens exactly once, and an event published
// in a rolled-back transaction is never delivered.
#include <signal.h>

#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

class OutboxEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = write_temp_file("trace", "").parent_path();
        fail_file_ = dir_ / "fail";
        trace_ = dir_ / "trace";
        TestVenue venue{
            .plugins = {"outbox_probe"},
            .plugin_dir = ADMIT_PROBE_DIR,
            .events_toml = "backoff_initial_ms = 50\nbackoff_max_ms = 200\nmax_attempts = 1000\n"};
        venue_file_ = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    }

    std::unique_ptr<AdmitdProcess> start() {
        auto p = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_file_.string()},
            std::vector<std::string>{"ADMIT_PROBE_FAIL_FILE=" + fail_file_.string(),
                                     "ADMIT_PROBE_TRACE=" + trace_.string()});
        auto port = p->wait_until_serving();
        EXPECT_TRUE(port.has_value()) << p->log();
        port_ = port.value_or(0);
        return p;
    }

    int handled(const std::string& id) {
        auto r = http_request(port_, "GET", "/probe/outbox/handled/" + id);
        return r.status == 200 ? static_cast<int>(boost::json::parse(r.body).at("count").as_int64())
                               : -1;
    }

    // Polls `count` until it reaches `want` (or 20 s pass); returns the last value.
    static int await_at_least(const std::function<int()>& count, int want) {
        int value = count();
        for (int i = 0; i < 800 && value < want; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            value = count();
        }
        return value;
    }

    // The item's effect count, awaited until it reaches `want`.
    int await_handled(const std::string& id, int want) {
        return await_at_least([&] { return handled(id); }, want);
    }

    int trace_count(const std::string& text) {
        std::ifstream in(trace_);
        std::string all((std::istreambuf_iterator<char>(in)), {});
        int count = 0;
        for (auto at = all.find(text); at != std::string::npos;
             at = all.find(text, at + text.size()))
            ++count;
        return count;
    }

    // How often `text` occurs in the trace, awaited until at least `want`.
    int await_trace_count(const std::string& text, int want) {
        return await_at_least([&] { return trace_count(text); }, want);
    }

    bool trace_contains(const std::string& text) {
        std::ifstream in(trace_);
        std::string all((std::istreambuf_iterator<char>(in)), {});
        return all.find(text) != std::string::npos;
    }

    IsolatedStorage storage_;
    std::filesystem::path dir_, fail_file_, trace_, venue_file_;
    uint16_t port_ = 0;
};

TEST_F(OutboxEndToEnd, CommittedEventSurvivesKill9AndTakesEffectOnce) {
    std::ofstream(fail_file_) << "fail";
    auto first = start();
    auto r = http_request(port_, "POST", "/probe/outbox/items", R"({"id":"it-1"})");
    ASSERT_EQ(r.status, 201) << r.body;
    // The subscriber has seen the event (and failed): it is committed and pending.
    for (int i = 0; i < 400 && !trace_contains("attempt it-1"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_TRUE(trace_contains("attempt it-1"));
    first->signal(SIGKILL);
    ASSERT_TRUE(first->wait_exit().has_value());

    std::filesystem::remove(fail_file_);
    auto second = start();
    EXPECT_EQ(await_handled("it-1", 1), 1) << second->log();
    // Still once after more delivery rounds: a later event of the same ordering key is the sentinel
    // (once it is handled, every delivery of it-1 queued before it has been made).
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"it-2"})").status, 201);
    EXPECT_EQ(await_handled("it-2", 1), 1) << second->log();
    EXPECT_EQ(handled("it-1"), 1);
}

TEST_F(OutboxEndToEnd, RolledBackPublishIsNeverDelivered) {
    auto admitd = start();
    auto rolled =
        http_request(port_, "POST", "/probe/outbox/items", R"({"id":"gone","rollback":true})");
    EXPECT_EQ(rolled.status, 409);
    // A later event of the same key: once it is handled, the rolled-back one would have been too.
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"kept"})").status, 201);
    EXPECT_EQ(await_handled("kept", 1), 1) << admitd->log();
    EXPECT_EQ(handled("gone"), 0);
    EXPECT_FALSE(trace_contains("attempt gone"));
}

// A plugin that hands a database error to its client leaks nothing of PostgreSQL's text:
// no constraint name, no "Key (id)=(...)"; the detail is in the host log with the trace id.
TEST_F(OutboxEndToEnd, DatabaseErrorTextNeverReachesTheClient) {
    auto admitd = start();
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"twice"})").status, 201);
    auto again = http_request(port_, "POST", "/probe/outbox/items", R"({"id":"twice"})");
    EXPECT_EQ(again.status, 409) << again.body;
    for (const char* leak : {"items_pkey", "Key (", "duplicate key", "twice", "outbox_probe"})
        EXPECT_EQ(again.body.find(leak), std::string::npos) << leak << " in " << again.body;
    EXPECT_NE(again.body.find("the database refused"), std::string::npos) << again.body;
}

// A subscription the event bus refuses fails its plugin's init, naming plugin and reason, and
// admitd does not start (it used to log the refusal and run the plugin without its subscriber).
TEST_F(OutboxEndToEnd, ARefusedSubscriptionFailsThePluginsInit) {
    TestVenue venue{.plugins = {"probe_badsub"}, .plugin_dir = ADMIT_PROBE_DIR};
    auto file = write_temp_file("badsub.toml", venue_toml(venue, &storage_));
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
    auto exit = admitd.wait_exit();
    ASSERT_TRUE(exit.has_value()) << admitd.log();
    EXPECT_EQ(*exit, 1);  // exit_failed: the configuration was fine, a plugin failed to start
    EXPECT_NE(admitd.log().find("probe_badsub"), std::string::npos) << admitd.log();
    EXPECT_NE(admitd.log().find("bad*topic"), std::string::npos) << admitd.log();
}

// ABI 1.5: an interactive subscription is taken (its deliveries keep request priority, see
// events_delivery_test.cpp); flags this host does not know are refused, naming them, and admitd
// does not start.
TEST_F(OutboxEndToEnd, SubscriptionFlagsAreTakenOrRefusedByName) {
    TestVenue interactive{.plugins = {"probe_interactive"}, .plugin_dir = ADMIT_PROBE_DIR};
    auto good = write_temp_file("interactive.toml", venue_toml(interactive, &storage_));
    {
        AdmitdProcess serving(ADMIT_ADMITD_BINARY,
                              std::vector<std::string>{"--config", good.string()});
        ASSERT_TRUE(serving.wait_until_serving().has_value()) << serving.log();
    }

    TestVenue unknown{.plugins = {"probe_badflags"}, .plugin_dir = ADMIT_PROBE_DIR};
    auto bad = write_temp_file("badflags.toml", venue_toml(unknown, &storage_));
    AdmitdProcess refused(ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", bad.string()});
    auto exit = refused.wait_exit();
    ASSERT_TRUE(exit.has_value()) << refused.log();
    EXPECT_EQ(*exit, 1);
    EXPECT_NE(refused.log().find("probe_badflags"), std::string::npos) << refused.log();
    EXPECT_NE(refused.log().find("unknown flags 0x80"), std::string::npos) << refused.log();
}

// Shutdown stops jobs and event delivery before it stops the plugins: in the trace, no subscriber
// attempt and no job run follows the plugin's "stop" (the process exit is the later sentinel).
TEST_F(OutboxEndToEnd, NothingRunsInAPluginAfterItsStop) {
    std::ofstream(fail_file_) << "fail";  // the subscriber keeps failing: deliveries keep coming
    auto admitd = start();
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"busy"})").status, 201);
    for (int i = 0; i < 400 && (trace_count("attempt busy\n") < 2 || trace_count("tick\n") < 2);
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_GE(trace_count("attempt busy\n"), 2);
    ASSERT_GE(trace_count("tick\n"), 2);
    admitd->signal(SIGTERM);
    auto exit = admitd->wait_exit();
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(*exit, 0) << admitd->log();
    std::ifstream in(trace_);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    const auto stop = all.find("stop\n");
    ASSERT_NE(stop, std::string::npos) << all;
    const std::string after = all.substr(stop);
    EXPECT_EQ(after.find("attempt"), std::string::npos) << after;
    EXPECT_EQ(after.find("tick"), std::string::npos) << after;
}

// Deliveries waiting from before a crash, and periodic jobs, reach a plugin only after its start()
// returned (the ticket plugin crashed on every restart of a fleet killed with a backlog: its
// subscriber ran before start() had loaded the signing keys).
TEST_F(OutboxEndToEnd, NothingRunsInAPluginBeforeItsStartReturned) {
    std::ofstream(fail_file_) << "fail";
    auto first = start();
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"waiting"})").status,
              201);
    ASSERT_GE(await_trace_count("attempt waiting\n", 1), 1);
    first->signal(SIGKILL);
    ASSERT_TRUE(first->wait_exit().has_value());
    std::filesystem::remove(fail_file_);
    std::ofstream(trace_, std::ios::trunc).close();  // the second start's trace only

    auto second = start();
    EXPECT_EQ(await_handled("waiting", 1), 1) << second->log();
    ASSERT_GE(await_trace_count("tick\n", 1), 1);
    std::ifstream in(trace_);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    const auto started = all.find("started\n");
    ASSERT_NE(started, std::string::npos) << all;
    const std::string before = all.substr(0, started);
    EXPECT_EQ(before.find("attempt"), std::string::npos) << all;
    EXPECT_EQ(before.find("tick"), std::string::npos) << all;
}

// Tx::on_commit: work registered in a transaction runs after it committed, never for a rolled-back
// one; in a subscriber, never for a failed attempt, and once for the attempt that commits.
TEST_F(OutboxEndToEnd, OnCommitWorkRunsOnlyAfterACommit) {
    auto admitd = start();
    auto announced = [this](const std::string& id) {
        auto r = http_request(port_, "GET", "/probe/outbox/announced/" + id);
        return r.status == 200 && boost::json::parse(r.body).at("announced").as_bool();
    };
    // db_transaction answers after its on_commit work ran (or was dropped): no wait needed.
    ASSERT_EQ(
        http_request(port_, "POST", "/probe/outbox/items", R"({"id":"undone","rollback":true})")
            .status,
        409);
    EXPECT_FALSE(announced("undone"));
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"done"})").status, 201);
    EXPECT_TRUE(announced("done"));
    EXPECT_EQ(await_handled("done", 1), 1) << admitd->log();
    EXPECT_EQ(await_trace_count("announced done\n", 1), 1);

    // A failing subscriber: its attempts roll back, and their on_commit work must not run.
    std::ofstream(fail_file_) << "fail";
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"late"})").status, 201);
    for (int i = 0; i < 400 && trace_count("attempt late\n") < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // A second attempt means the first one has finished, its on_commit work answered "rolled back".
    ASSERT_GE(trace_count("attempt late\n"), 2);
    EXPECT_EQ(trace_count("announced late\n"), 0);
    std::filesystem::remove(fail_file_);
    EXPECT_EQ(await_handled("late", 1), 1) << admitd->log();
    EXPECT_EQ(await_trace_count("announced late\n", 1), 1);
}

// Tx::before_commit (ABI 1.4): work registered in a transaction runs inside it after the body
// (it sees the body's rows), its failure rolls everything back (the body's rows, the published
// event, the on_commit work); in a subscriber it runs after a handler that succeeded, never after
// one that failed.
TEST_F(OutboxEndToEnd, BeforeCommitWorkRunsInsideTheTransactionAfterTheBodyAndItsFailureRollsBack) {
    auto admitd = start();
    auto stored = [this](const std::string& id) {
        auto r = http_request(port_, "GET", "/probe/outbox/stored/" + id);
        EXPECT_EQ(r.status, 200) << r.body;
        auto body = boost::json::parse(r.body).as_object();
        return std::make_pair(body.at("item").as_bool(), body.at("sealed").as_bool());
    };
    auto sealed =
        http_request(port_, "POST", "/probe/outbox/items", R"({"id":"kept","seal":"ok"})");
    ASSERT_EQ(sealed.status, 201) << sealed.body << admitd->log();
    EXPECT_EQ(stored("kept"), std::make_pair(true, true));
    EXPECT_EQ(await_handled("kept", 1), 1) << admitd->log();
    EXPECT_EQ(await_trace_count("sealed kept\n", 1), 1);

    auto refused =
        http_request(port_, "POST", "/probe/outbox/items", R"({"id":"refused","seal":"fail"})");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(stored("refused"), std::make_pair(false, false));
    EXPECT_EQ(http_request(port_, "GET", "/probe/outbox/announced/refused").body,
              R"({"announced":false})");

    // A failing subscriber: its before-commit work never runs until an attempt succeeds.
    std::ofstream(fail_file_) << "fail";
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"late"})").status, 201);
    ASSERT_EQ(await_trace_count("attempt late\n", 2), 2) << admitd->log();
    EXPECT_EQ(trace_count("sealed late\n"), 0);
    std::filesystem::remove(fail_file_);
    EXPECT_EQ(await_handled("late", 1), 1) << admitd->log();
    EXPECT_EQ(await_trace_count("sealed late\n", 1), 1);
    // The refused item's event was rolled back with it: the later item of the same key being
    // handled proves the subscriber would have reached it.
    EXPECT_EQ(handled("refused"), 0);
    EXPECT_EQ(trace_count("attempt refused\n"), 0);
}

}  // namespace
}  // namespace admit::testing
