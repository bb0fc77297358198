// The transactional outbox through a real admitd and real PostgreSQL: an event committed before a
// kill -9 is delivered after the restart, its effect happens exactly once, and an event published
// in a rolled-back transaction is never delivered.
#include <signal.h>

#include <fstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

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
        TestVenue venue{.plugins = {"outbox_probe"}, .plugin_dir = ADMIT_PROBE_DIR,
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
        return r.status == 200 ? static_cast<int>(boost::json::parse(r.body).at("count").as_int64()) : -1;
    }

    // Polls until the item's effect count reaches `want` (or 20 s pass); returns the last count.
    int await_handled(const std::string& id, int want) {
        int count = handled(id);
        for (int i = 0; i < 800 && count < want; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            count = handled(id);
        }
        return count;
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
    // Still once after more delivery rounds.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(handled("it-1"), 1);
}

TEST_F(OutboxEndToEnd, RolledBackPublishIsNeverDelivered) {
    auto admitd = start();
    auto rolled = http_request(port_, "POST", "/probe/outbox/items", R"({"id":"gone","rollback":true})");
    EXPECT_EQ(rolled.status, 409);
    // A later event of the same key: once it is handled, the rolled-back one would have been too.
    ASSERT_EQ(http_request(port_, "POST", "/probe/outbox/items", R"({"id":"kept"})").status, 201);
    EXPECT_EQ(await_handled("kept", 1), 1) << admitd->log();
    EXPECT_EQ(handled("gone"), 0);
    EXPECT_FALSE(trace_contains("attempt gone"));
}

}  // namespace
}  // namespace admit::testing
