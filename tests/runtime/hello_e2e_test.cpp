// The example plugin through a real admitd with real PostgreSQL and Redis: its routes, its
// migration, the exception barrier, and /readyz reporting every dependency.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <thread>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

class HelloEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        auto file = write_temp_file(
            "venue.toml",
            venue_toml(
                {.plugins = {"hello"},
                 .extra_toml = "[plugin.hello]\ngreeting = \"Welcome\"\nthrowing_route = true\n"},
                &storage_));
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

TEST_F(HelloEndToEnd, ServesTheExampleRoutes) {
    auto r = http_request(port_, "GET", "/api/v1/hello");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("plugin"), "hello");
    auto named = http_request(port_, "GET", "/api/v1/hello/Ada");
    ASSERT_EQ(named.status, 200);
    EXPECT_NE(named.body.find("Welcome"), std::string::npos) << named.body;
}

TEST_F(HelloEndToEnd, AThrowingHandlerIs500AndTheWorkerSurvives) {
    auto r = http_request(port_, "GET", "/api/v1/hello/boom");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(boost::json::parse(r.body).at("code"), "INTERNAL");
    EXPECT_EQ(http_request(port_, "GET", "/api/v1/hello").status, 200);
}

// ABI 1.6: the answer comes from the plugin's own thread after the handler returned; each of 16
// concurrent callers gets its own (the venue checks responses against the route's contract).
TEST_F(HelloEndToEnd, ADeferredAnswerComesFromThePluginsThread) {
    std::vector<std::thread> callers;
    std::vector<HttpResult> results(16);
    for (std::size_t i = 0; i < results.size(); ++i) {
        callers.emplace_back([&, i] {
            results[i] = http_request(port_, "GET", "/api/v1/hello/later/Ada" + std::to_string(i));
        });
    }
    for (auto& caller : callers) caller.join();
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_EQ(results[i].status, 200) << results[i].error << results[i].body << admitd_->log();
        EXPECT_EQ(boost::json::parse(results[i].body).at("message").as_string(),
                  "Welcome, Ada" + std::to_string(i) + "!");
    }
}

TEST_F(HelloEndToEnd, ADeferredAnswerThePluginDroppedIs500) {
    auto r = http_request(port_, "GET", "/api/v1/hello/dropped");
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("code"), "INTERNAL");
    EXPECT_EQ(http_request(port_, "GET", "/api/v1/hello/later/Bo").status, 200);
}

TEST_F(HelloEndToEnd, ReadyzIsGreenWithEveryDependency) {
    auto r = http_request(port_, "GET", "/readyz");
    ASSERT_EQ(r.status, 200) << r.body;
    auto checks = boost::json::parse(r.body).at("checks").as_object();
    EXPECT_TRUE(checks.contains("postgres"));
    EXPECT_TRUE(checks.contains("redis"));
    EXPECT_TRUE(checks.contains("events"));
}

// /readyz answers from a state refreshed in the background (every second while healthy, every
// 100 ms while not): a lost Redis shows within about a second, and its return sooner.
TEST_F(HelloEndToEnd, ReadyzTurnsRedWhenRedisIsLostAndRecovers) {
    storage_.stop_redis();
    HttpResult down;
    for (int i = 0; i < 200 && down.status != 503; ++i) {
        down = http_request(port_, "GET", "/readyz");
        if (down.status != 503) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_EQ(down.status, 503) << down.body;
    EXPECT_EQ(boost::json::parse(down.body).at("code"), "DEPENDENCY_UNAVAILABLE");
    storage_.start_redis();
    int status = 0;
    for (int i = 0; i < 200 && status != 200; ++i) {
        status = http_request(port_, "GET", "/readyz").status;
        if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace admit::testing
