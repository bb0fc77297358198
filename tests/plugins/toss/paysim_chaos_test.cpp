// The chaos knobs of admit-pay-sim: decline, timeout (hold and close), latency, down, runtime
// config validation and seeded replay.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "paysim_fixture.hpp"

namespace admit::paysim::testing {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string("<missing>");
}
int64_t num(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->as_int64() : -1;
}

TEST(PaySimChaos, DeclineRateOneDeclinesAndAbortsThePayment) {
    PaySim sim;
    sim.set_config(R"({"chaos":{"decline_rate":1}})");
    auto key = sim.approve("order-decline-1", 5000);
    auto r = sim.confirm(key, "order-decline-1", 5000);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(str(parse_object(r.body), "code"), "REJECT_CARD_PAYMENT");
    auto q = parse_object(sim.api("GET", "/v1/payments/" + key).body);
    EXPECT_EQ(str(q, "status"), "ABORTED");
    EXPECT_EQ(str(q.at("failure").as_object(), "code"), "REJECT_CARD_PAYMENT");
    EXPECT_EQ(num(sim.ledger_entry("order-decline-1"), "charged"), 0);

    // The buyer may try again: a new approval of the aborted order gets a new paymentKey.
    sim.set_config(R"({"chaos":{"decline_rate":0}})");
    auto retry = sim.approve("order-decline-1", 5000);
    EXPECT_NE(retry, key);
    EXPECT_EQ(sim.confirm(retry, "order-decline-1", 5000).status, 200);
}

TEST(PaySimChaos, TimeoutHoldChargesButNeverAnswers) {
    PaySim sim(R"(
[chaos]
timeout_rate = 1.0
timeout_mode = "hold"
)");
    auto key = sim.approve("order-timeout-1", 9000);
    RawConnection conn(sim.port());
    ASSERT_TRUE(conn.connected());
    conn.send(http_post_bytes("/v1/payments/confirm",
                              sim.confirm_body(key, "order-timeout-1", 9000),
                              {{"Authorization", basic_auth(kSecret)}}));
    // The charge happened...
    ASSERT_TRUE(
        eventually([&] { return num(sim.ledger_entry("order-timeout-1"), "charged") == 9000; }));
    EXPECT_EQ(str(parse_object(sim.api("GET", "/v1/payments/" + key).body), "status"), "DONE");
    // ...and the held connection ends with no byte sent once the client gives up.
    conn.shutdown_write();
    EXPECT_EQ(conn.read_to_eof(), "");
    EXPECT_EQ(num(sim.stats(), "timeouts"), 1);
}

TEST(PaySimChaos, TimeoutCloseChargesAndClosesWithoutAnswer) {
    PaySim sim(R"(
[chaos]
timeout_rate = 1.0
timeout_mode = "close"
)");
    auto key = sim.approve("order-timeout-2", 9000);
    RawConnection conn(sim.port());
    conn.send(http_post_bytes("/v1/payments/confirm",
                              sim.confirm_body(key, "order-timeout-2", 9000),
                              {{"Authorization", basic_auth(kSecret)}}));
    EXPECT_EQ(conn.read_to_eof(), "");
    EXPECT_EQ(num(sim.ledger_entry("order-timeout-2"), "charged"), 9000);
    // A retry of the confirm now learns the payment is processed (the adapter reconciles).
    auto retry = sim.confirm(key, "order-timeout-2", 9000);
    EXPECT_EQ(str(parse_object(retry.body), "code"), "ALREADY_PROCESSED_PAYMENT");
}

TEST(PaySimChaos, TimedOutConfirmWithIdempotencyKeyReplaysTheSuccessOnRetry) {
    PaySim sim(R"(
[chaos]
timeout_rate = 1.0
timeout_mode = "close"
)");
    auto key = sim.approve("order-timeout-3", 1200);
    RawConnection conn(sim.port());
    conn.send(
        http_post_bytes("/v1/payments/confirm", sim.confirm_body(key, "order-timeout-3", 1200),
                        {{"Authorization", basic_auth(kSecret)}, {"Idempotency-Key", "k-t3"}}));
    EXPECT_EQ(conn.read_to_eof(), "");
    auto retry = sim.confirm(key, "order-timeout-3", 1200, {{"Idempotency-Key", "k-t3"}});
    EXPECT_EQ(retry.status, 200) << retry.body;
    EXPECT_EQ(str(parse_object(retry.body), "status"), "DONE");
}

TEST(PaySimChaos, FixedLatencyDelaysConfirm) {
    PaySim sim(R"(
[latency]
fixed_ms = 150
)");
    auto key = sim.approve("order-latency-1", 1000);
    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(sim.confirm(key, "order-latency-1", 1000).status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST(PaySimChaos, DownCloseDropsApiConnectionsButKeepsControlPaths) {
    PaySim sim;
    auto key = sim.approve("order-down-1", 1000);
    sim.set_config(R"({"chaos":{"down":true}})");
    RawConnection conn(sim.port());
    conn.send(http_post_bytes("/v1/payments/confirm", sim.confirm_body(key, "order-down-1", 1000),
                              {{"Authorization", basic_auth(kSecret)}}));
    EXPECT_EQ(conn.read_to_eof(), "");
    EXPECT_EQ(num(sim.ledger_entry("order-down-1"), "charged"), 0);
    EXPECT_EQ(sim.get("/healthz").status, 200);
    sim.set_config(R"({"chaos":{"down":false}})");
    EXPECT_EQ(sim.confirm(key, "order-down-1", 1000).status, 200);
}

TEST(PaySimChaos, DownRefuseRefusesConnectionsForAPeriod) {
    PaySim sim;
    sim.set_config(R"({"chaos":{"down":true,"down_mode":"refuse","down_for_ms":400}})");
    EXPECT_TRUE(eventually([&] { return !RawConnection(sim.port()).connected(); }));
    // It comes back by itself and reports down = false.
    ASSERT_TRUE(eventually([&] { return sim.get("/healthz").status == 200; }));
    auto config = parse_object(sim.get("/sim/config").body);
    EXPECT_FALSE(config.at("chaos").as_object().at("down").as_bool());
}

TEST(PaySimChaos, ConfigPatchIsValidated) {
    PaySim sim;
    auto bad_rate = sim.post("/sim/config", R"({"chaos":{"decline_rate":2}})");
    EXPECT_EQ(bad_rate.status, 400);
    EXPECT_NE(bad_rate.body.find("chaos.decline_rate"), std::string::npos);
    auto unknown = sim.post("/sim/config", R"({"chaos":{"decline":0.5}})");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("chaos.decline"), std::string::npos);
    auto refuse_forever =
        sim.post("/sim/config", R"({"chaos":{"down":true,"down_mode":"refuse"}})");
    EXPECT_EQ(refuse_forever.status, 400);
    EXPECT_EQ(sim.post("/sim/config", "nope").status, 400);
    auto ok = sim.post("/sim/config", R"({"latency":{"median_ms":2,"p99_ms":20}})");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(parse_object(ok.body).at("latency").as_object().at("p99_ms").to_number<double>(), 20);
}

TEST(PaySimChaos, BadConfigFileIsRefusedAtStart) {
    auto file = admit::testing::write_temp_file("bad.toml", "[chaos]\ndecline_rate = 3\n");
    auto r = admit::testing::run_command(ADMIT_PAYSIM_BINARY, {"--config", file.string()},
                                         std::chrono::seconds(10));
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.output.find("decline_rate"), std::string::npos) << r.output;
}

TEST(PaySimChaos, ExampleConfigStarts) {
    std::ifstream in(std::string(ADMIT_TEST_SOURCE_DIR) +
                     "/plugins/toss/simulator/paysim.example.toml");
    std::stringstream toml;
    toml << in.rdbuf();
    ASSERT_FALSE(toml.str().empty());
    auto journal = admit::testing::write_temp_file("keep", "").parent_path() / "journal.jsonl";
    PaySim sim(toml.str(), journal.string());  // --port 0 and --journal override the example's
    EXPECT_EQ(sim.get("/healthz").status, 200);
    auto config = parse_object(sim.get("/sim/config").body);
    EXPECT_EQ(config.at("webhooks").as_object().at("max_attempts").as_int64(), 8);
}

TEST(PaySimChaos, SameSeedReplaysTheSameDeclines) {
    auto run = [](uint64_t seed) {
        PaySim sim("[server]\nseed = " + std::to_string(seed) + "\n[chaos]\ndecline_rate = 0.5\n");
        std::string outcomes;
        for (int i = 0; i < 24; ++i) {
            std::string order = "order-seed-" + std::to_string(i);
            auto key = sim.approve(order, 1000);
            outcomes += sim.confirm(key, order, 1000).status == 200 ? 'A' : 'D';
        }
        return outcomes;
    };
    auto first = run(42);
    EXPECT_EQ(first, run(42));
    EXPECT_NE(first.find('A'), std::string::npos);
    EXPECT_NE(first.find('D'), std::string::npos);
}

}  // namespace
}  // namespace admit::paysim::testing
