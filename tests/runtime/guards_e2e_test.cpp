// Host request guards through a real admitd: rate limits hold under concurrency; Idempotency-Key
// replays the first response and refuses reuse for another request.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/admitd_process.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

// A venue override of the ratelimits policy: 5 general requests per minute, with its own test.
std::filesystem::path write_tight_ratelimits() {
    auto policy = write_temp_file("ratelimits.lua", R"lua(
fallback = { category = "general", limit = 5, windowSeconds = 60, keyBy = "ip" }
function decide(input)
  return { category = input.category or "general", limit = 5, windowSeconds = 60,
           keyBy = input.authenticated and "caller" or "ip" }
end
)lua");
    std::ofstream(policy.parent_path() / "ratelimits_test.lua") << R"lua(
function test_five_per_minute()
  local d = decide({ category = "general", authenticated = false })
  assert(d.limit == 5 and d.windowSeconds == 60)
end
)lua";
    return policy;
}

class GuardsEndToEnd : public ::testing::Test {
  protected:
    void start(const std::string& extra) {
        auto file = write_temp_file(
            "venue.toml",
            venue_toml({.plugins = {"test_auth", "hello"}, .extra_toml = extra}, &storage_));
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }
    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

TEST_F(GuardsEndToEnd, NoMoreThanTheLimitSucceedUnderConcurrency) {
    auto policy = write_tight_ratelimits();
    start("[policies.overrides]\nratelimits = \"" + policy.string() + "\"\n");
    std::atomic<int> ok{0}, limited{0}, other{0};
    std::string retry_after;
    std::mutex mutex;
    std::vector<std::thread> threads;
    for (int i = 0; i < 24; ++i) {
        threads.emplace_back([&] {
            auto r = http_request(port_, "GET", "/api/v1/hello");
            if (r.status == 200) {
                ++ok;
            } else if (r.status == 429) {
                ++limited;
                std::lock_guard lock(mutex);
                retry_after = r.headers["retry-after"];
                EXPECT_EQ(boost::json::parse(r.body).at("code"), "RATE_LIMITED");
            } else {
                ++other;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 5);
    EXPECT_EQ(limited.load(), 19);
    EXPECT_EQ(other.load(), 0);
    EXPECT_FALSE(retry_after.empty());
    // Health is never limited.
    EXPECT_EQ(http_request(port_, "GET", "/healthz").status, 200);
    // The five passed requests, and only they, were counted in the shared bucket.
    EXPECT_TRUE(eventually([&] {
        return http_request(port_, "GET", "/metrics")
                   .body.find("\nadmit_ratelimit_sync_requests_total 5\n") != std::string::npos;
    })) << http_request(port_, "GET", "/metrics").body;
}

TEST_F(GuardsEndToEnd, ABucketAnotherHostUsedUpLimitsHereAfterAtMostOneRequest) {
    auto policy = write_tight_ratelimits();
    start("[policies.overrides]\nratelimits = \"" + policy.string() + "\"\n");
    // Another host has used this client's whole budget: the shared bucket's TAT is an hour ahead.
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string command = "redis-cli -p " + std::to_string(storage_.redis_port()) +
                                " SET admitd:rl:general:ip:127.0.0.1 " +
                                std::to_string(now_ms + 3'600'000) + " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
    int ok = 0, limited = 0;
    for (int i = 0; i < 6; ++i) {
        const int status = http_request(port_, "GET", "/api/v1/hello").status;
        if (status == 200) ++ok;
        if (status == 429) ++limited;
        if (status == 200) {
            // The shared bucket's answer reaches this host's copy just after the response: every
            // call sent so far has been answered before the next request.
            EXPECT_TRUE(eventually([&] {
                const auto metrics = http_request(port_, "GET", "/metrics").body;
                const auto calls = metric_value(metrics, "admit_ratelimit_sync_calls_total");
                return calls > 0 &&
                       metric_value(metrics, "admit_ratelimit_sync_answers_total") == calls;
            })) << http_request(port_, "GET", "/metrics").body;
        }
    }
    EXPECT_LE(ok, 1) << "this host learned the shared bucket from the first reply";
    EXPECT_GE(limited, 5);
}

TEST_F(GuardsEndToEnd, IdempotencyKeyReplaysTheFirstResponse) {
    start("");
    std::map<std::string, std::string> headers{{"Authorization", "Bearer test:customer:u1"},
                                               {"Idempotency-Key", "k-123"},
                                               {"Content-Type", "application/json"}};
    auto first =
        http_request(port_, "POST", "/api/v1/hello/greetings", R"({"name":"Ada"})", headers);
    ASSERT_EQ(first.status, 201) << first.body;
    auto again =
        http_request(port_, "POST", "/api/v1/hello/greetings", R"({"name":"Ada"})", headers);
    EXPECT_EQ(again.status, 201);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.headers["idempotent-replayed"], "true");

    auto reused =
        http_request(port_, "POST", "/api/v1/hello/greetings", R"({"name":"Bob"})", headers);
    EXPECT_EQ(reused.status, 422);
    EXPECT_EQ(boost::json::parse(reused.body).at("code"), "IDEMPOTENCY_KEY_REUSED");

    // Keys are per caller: another customer with the same key runs their own request.
    headers["Authorization"] = "Bearer test:customer:u2";
    auto other =
        http_request(port_, "POST", "/api/v1/hello/greetings", R"({"name":"Bob"})", headers);
    EXPECT_EQ(other.status, 201);
    EXPECT_EQ(other.headers.count("idempotent-replayed"), 0u);
}

TEST_F(GuardsEndToEnd, MalformedIdempotencyKeyIs400) {
    start("");
    auto r = http_request(
        port_, "POST", "/api/v1/hello/greetings", R"({"name":"Ada"})",
        {{"Authorization", "Bearer test:customer:u1"}, {"Idempotency-Key", std::string(300, 'k')}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(boost::json::parse(r.body).at("code"), "INVALID_REQUEST");
}

TEST_F(GuardsEndToEnd, ValidationErrorNamesTheField) {
    start("");
    auto r = http_request(port_, "POST", "/api/v1/hello/greetings", R"({"times":2})",
                          {{"Authorization", "Bearer test:customer:u1"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("name"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace admit::testing
