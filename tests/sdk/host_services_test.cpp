// The remaining Host services through FakeHost: authenticator, SSE streams, periodic jobs,
// histograms, logging helpers and the clock.
#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace {

using admit::sdk::Error;
using admit::sdk::Host;
using admit::sdk::Identity;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;

/// The ends of gate streams the plugin heard of, as "gateId:subject", in order.
std::vector<std::string>& closed_streams() {
    static std::vector<std::string> closed;
    return closed;
}

class GatePlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        host_ = &host;
        ADMIT_TRY_ASSIGN(latency_, host.histogram("check_seconds", "Check latency", "gate=\"A\""));
        if (auto s = host.authenticator([](std::string_view token) -> Result<Identity> {
                if (token == "good") return Identity{"u_7", {"staff"}, {{"tier", "GOLD"}}, "s_1"};
                if (token == "throw") throw std::runtime_error("token parser exploded");
                return Error::rejected("bad token");
            });
            !s)
            return s;
        if (auto s = host.stream(
                "/api/v1/gates/{gateId}/stream", "public", "gate:{gateId}", "Gate events",
                [](const Request& r) -> Result<std::optional<boost::json::value>> {
                    if (r.param("gateId") == "Z") return Error::not_found("no gate Z");
                    if (r.param("gateId") == "quiet") return std::optional<boost::json::value>{};
                    return std::optional<boost::json::value>(
                        boost::json::value{{"gate", r.param("gateId")}});
                },
                {},
                [](const Request& r) {
                    closed_streams().push_back(std::string(r.param("gateId")) + ":" +
                                               std::string(r.principal().subject()));
                    if (r.param("gateId") == "boom")
                        throw std::runtime_error("close handler exploded");
                });
            !s)
            return s;
        if (auto s =
                host.periodic_job("tick", std::chrono::seconds(5),
                                  [this]() -> Status {
                                      ++ticks_;
                                      host_->publish_stream("gate:A", "tick", {{"ticks", ticks_}});
                                      latency_.observe(0.25);
                                      return {};
                                  });
            !s)
            return s;
        zero_interval_ =
            host.periodic_job("never", std::chrono::milliseconds(0), [] { return Status{}; });
        return host.route("GET", "/api/v1/gates/now", "public", [this](const Request&) {
            host_->info("now asked, ticks=", ticks_, " zero_interval=", zero_interval_.message());
            return Response::json(200, {{"now", host_->now_us()}});
        });
    }

  private:
    Host* host_ = nullptr;
    admit::sdk::Metric latency_;
    int ticks_ = 0;
    Status zero_interval_;
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(gate, GatePlugin, "0.1.0", ADMIT_DEPENDS(),
                        ADMIT_CAPABILITIES("authenticator"));
ADMIT_PLUGIN_DESCRIPTOR(gate_copy, GatePlugin, "0.1.0");

namespace {

class HostServicesTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(fake.load(admit_plugin_descriptor_gate()).ok()); }
    admit::testing::FakeHost fake;
};

TEST_F(HostServicesTest, AuthenticatorSetsThePrincipalOrRejects) {
    auto good = fake.authenticate("good");
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->subject, "u_7");
    EXPECT_EQ(good->role, "staff");
    EXPECT_EQ(good->tier, "GOLD");
    EXPECT_EQ(good->session, "s_1");
    EXPECT_EQ(fake.authenticate("bad").error().status, ADMIT_E_REJECTED);
    EXPECT_EQ(fake.authenticate("throw").error().status, ADMIT_E_INTERNAL);
    EXPECT_TRUE(fake.logged("token parser exploded"));
}

TEST_F(HostServicesTest, StreamOpenWritesTheFirstEvent) {
    auto first = fake.open_stream("/api/v1/gates/A/stream");
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(*first, R"({"gate":"A"})");
    EXPECT_EQ(*fake.open_stream("/api/v1/gates/quiet/stream"), "");
    EXPECT_EQ(fake.open_stream("/api/v1/gates/Z/stream").error().status, ADMIT_E_NOT_FOUND);
    EXPECT_FALSE(fake.logged("no gate Z")) << "NOT_FOUND is an answer, not a failure";
    EXPECT_EQ(fake.open_stream("/api/v1/nothing").error().status, ADMIT_E_NOT_FOUND);
}

TEST_F(HostServicesTest, StreamCloseIsReportedOncePerAcceptedOpen) {
    using admit::testing::TestPrincipal;
    closed_streams().clear();
    ASSERT_TRUE(fake.open_stream("/api/v1/gates/A/stream", TestPrincipal::user("u_1")).ok());
    ASSERT_TRUE(fake.open_stream("/api/v1/gates/B/stream", TestPrincipal::user("u_2")).ok());
    ASSERT_TRUE(fake.open_stream("/api/v1/gates/boom/stream").ok());
    EXPECT_FALSE(fake.open_stream("/api/v1/gates/Z/stream").ok());  // refused: never closed
    EXPECT_EQ(fake.open_stream_count(), 3u);
    EXPECT_TRUE(fake.close_stream("/api/v1/gates/A/stream", TestPrincipal::user("u_1")));
    EXPECT_FALSE(fake.close_stream("/api/v1/gates/A/stream", TestPrincipal::user("u_1")));
    EXPECT_FALSE(fake.close_stream("/api/v1/gates/Z/stream"));
    EXPECT_EQ(closed_streams(), std::vector<std::string>{"A:u_1"});
    // An exception in the handler stays on the plugin's side of the ABI and is logged.
    EXPECT_TRUE(fake.close_stream("/api/v1/gates/boom/stream"));
    EXPECT_TRUE(fake.logged("close handler exploded"));
    // Stopping ends the streams still open, as admitd does before it stops plugins.
    fake.stop_all();
    EXPECT_EQ(fake.open_stream_count(), 0u);
    EXPECT_EQ(closed_streams(), (std::vector<std::string>{"A:u_1", "boom:", "B:u_2"}));
}

TEST_F(HostServicesTest, PeriodicJobPublishesToStreamsAndRecordsHistogram) {
    ASSERT_TRUE(fake.run_job("gate", "tick").ok());
    ASSERT_TRUE(fake.run_job("gate", "tick").ok());
    ASSERT_EQ(fake.stream_messages().size(), 2u);
    EXPECT_EQ(fake.stream_messages()[1].topic, "gate:A");
    EXPECT_EQ(fake.stream_messages()[1].event_name, "tick");
    EXPECT_EQ(fake.stream_messages()[1].data, R"({"ticks":2})");
    EXPECT_EQ(fake.metric("gate", "check_seconds", "gate=\"A\""), 0.5);
    EXPECT_FALSE(fake.run_job("gate", "never").ok())
        << "a zero interval is refused at registration";
}

TEST_F(HostServicesTest, ClockAndLogHelpers) {
    fake.set_now_us(1'000'000);
    fake.advance(std::chrono::milliseconds(1500));
    auto response = fake.request("GET", "/api/v1/gates/now");
    EXPECT_EQ(response.json().at("now"), 2'500'000);
    EXPECT_TRUE(
        fake.logged("now asked, ticks=0 zero_interval=periodic job never needs an interval > 0"));
    ASSERT_FALSE(fake.logs().empty());
    EXPECT_EQ(fake.logs().back().level, ADMIT_LOG_INFO);
    EXPECT_EQ(fake.logs().back().plugin, "gate");
}

TEST(HostServicesSecondAuthenticator, OnlyOnePluginMayAuthenticate) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_gate()).ok());
    auto second = fake.load(admit_plugin_descriptor_gate_copy());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status(), ADMIT_E_CONFLICT);
    EXPECT_NE(second.message().find("already registered by gate"), std::string::npos)
        << second.message();
    EXPECT_TRUE(fake.authenticate("good").ok()) << "the first one stays";
    EXPECT_EQ(fake.routes().size(), 1u) << "the failed plugin's registrations are rolled back";
}

}  // namespace
