// The exception barrier: whatever a plugin throws, from wherever, becomes an error status with
// the exception's message, and the process keeps running.
#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using admit::sdk::Host;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;

/// Throws wherever its config "throw_in" says: "constructor", "init", "start", "stop", "health".
class ThrowingPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        throw_in_ = host.config_string("throw_in", "");
        if (throw_in_ == "init") throw std::runtime_error("init exploded");
        (void)host.route("GET", "/api/v1/throw", "public", [](const Request&) -> Response {
            throw std::runtime_error("handler exploded");
        });
        (void)host.route("GET", "/api/v1/throw-int", "public",
                         [](const Request&) -> Response { throw 42; });
        (void)host.provide(
            "thrower.fail",
            [](const boost::json::value&,
               const admit::sdk::Principal&) -> admit::sdk::Result<boost::json::value> {
                throw std::logic_error("service exploded");
            });
        (void)host.subscribe("boom.*", "thrower-subscriber",
                             [](admit::sdk::Tx&, const admit::sdk::Event&) -> Status {
                                 throw std::runtime_error("subscriber exploded");
                             });
        (void)host.delayed_job("explode", [](std::string_view) -> Status {
            throw std::runtime_error("job exploded");
        });
        (void)host.route("POST", "/api/v1/throw-in-tx", "public", [&host](const Request&) {
            Status status = host.db().transaction([](admit::sdk::Tx& tx) -> Status {
                (void)tx.publish("boom.tx", "k", boost::json::object{{"n", 1}});
                throw std::runtime_error("transaction body exploded");
            });
            return Response::json(
                200, {{"status", std::string(admit::sdk::status_name(status.status()))},
                      {"message", status.message()}});
        });
        return {};
    }
    Status start() override {
        if (throw_in_ == "start") throw std::runtime_error("start exploded");
        return {};
    }
    void stop() override {
        if (throw_in_ == "stop") throw std::runtime_error("stop exploded");
    }
    Status health(std::string&) override {
        if (throw_in_ == "health") throw std::runtime_error("health exploded");
        return {};
    }

  private:
    std::string throw_in_;
};

class ThrowingConstructor final : public admit::sdk::Plugin {
  public:
    ThrowingConstructor() { throw std::runtime_error("constructor exploded"); }
    Status init(Host&) override { return {}; }
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(thrower, ThrowingPlugin, "0.0.1");
ADMIT_PLUGIN_DESCRIPTOR(bad_constructor, ThrowingConstructor, "0.0.1");

namespace {

TEST(Barrier, InitExceptionFailsLoadWithItsMessageAndRollsBack) {
    admit::testing::FakeHost fake;
    fake.set_config("thrower", {{"throw_in", "init"}});
    auto status = fake.load(admit_plugin_descriptor_thrower());
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.status(), ADMIT_E_INTERNAL);
    EXPECT_NE(status.message().find("init exploded"), std::string::npos) << status.message();
    EXPECT_TRUE(fake.routes().empty());
}

TEST(Barrier, ConstructorExceptionFailsLoad) {
    admit::testing::FakeHost fake;
    auto status = fake.load(admit_plugin_descriptor_bad_constructor());
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("constructor exploded"), std::string::npos) << status.message();
}

TEST(Barrier, StartExceptionBecomesErrorStatus) {
    admit::testing::FakeHost fake;
    fake.set_config("thrower", {{"throw_in", "start"}});
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    auto status = fake.start_all();
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("start exploded"), std::string::npos) << status.message();
}

TEST(Barrier, StopAndHealthExceptionsAreContained) {
    admit::testing::FakeHost fake;
    fake.set_config("thrower", {{"throw_in", "stop"}});
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    ASSERT_TRUE(fake.start_all().ok());
    fake.stop_all();
    EXPECT_TRUE(fake.logged("stop exploded"));
}

TEST(Barrier, RouteHandlerExceptionAnswers500AndLogsTheMessage) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    auto response = fake.request("GET", "/api/v1/throw");
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.error_code(), "INTERNAL");
    EXPECT_EQ(response.body.find("exploded"), std::string::npos)
        << "the message must not reach the client";
    EXPECT_EQ(response.handler_status, ADMIT_E_INTERNAL);
    EXPECT_TRUE(fake.logged("handler exploded"));

    auto non_std = fake.request("GET", "/api/v1/throw-int");
    EXPECT_EQ(non_std.status, 500);
    EXPECT_TRUE(fake.logged("unknown exception"));
}

TEST(Barrier, ServiceExceptionBecomesInternalErrorWithMessage) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    auto result = fake.call("thrower.fail", boost::json::object{});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, ADMIT_E_INTERNAL);
    EXPECT_EQ(result.error().message, "service exploded");
}

TEST(Barrier, SubscriberExceptionIsAFailedDelivery) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    fake.inject_event("boom.now", "k1", R"({"x":1})");
    ASSERT_EQ(fake.failed_deliveries().size(), 1u);
    EXPECT_EQ(fake.failed_deliveries()[0].status, ADMIT_E_INTERNAL);
    EXPECT_EQ(fake.failed_deliveries()[0].message, "subscriber exploded");
    EXPECT_EQ(fake.failed_deliveries()[0].subscriber, "thrower-subscriber");
}

TEST(Barrier, JobExceptionBecomesErrorStatus) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    auto status = fake.run_job("thrower", "explode");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.message(), "job exploded");
}

TEST(Barrier, ExceptionInTransactionRollsBackAndBecomesError) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    auto response = fake.request("POST", "/api/v1/throw-in-tx");
    ASSERT_EQ(response.status, 200) << response.body;
    auto body = response.json().as_object();
    EXPECT_EQ(body.at("status"), "INTERNAL");
    EXPECT_EQ(body.at("message"), "transaction body exploded");
    EXPECT_TRUE(fake.committed_events().empty())
        << "an event published before the throw must not be delivered";
    EXPECT_TRUE(fake.failed_deliveries().empty());
}

TEST(Barrier, HealthExceptionBecomesErrorWithMessage) {
    admit::testing::FakeHost fake;
    fake.set_config("thrower", {{"throw_in", "health"}});
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_thrower()).ok());
    std::string detail;
    auto status = fake.health("thrower", &detail);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.status(), ADMIT_E_INTERNAL);
    EXPECT_EQ(detail, "health exploded");

    admit::sdk::StringSink sink;
    EXPECT_EQ(admit_plugin_descriptor_thrower()->health(nullptr, sink.get()), ADMIT_E_STATE);
}

}  // namespace
