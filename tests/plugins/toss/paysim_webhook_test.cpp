// Webhooks of admit-pay-sim: signed PAYMENT_STATUS_CHANGED events, duplicates, retries and
// reordering.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "paysim_fixture.hpp"

namespace admit::paysim::testing {
namespace {

namespace json = boost::json;

std::string hmac_hex(const std::string& key, const std::string& message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len);
    std::string out;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        out += buf;
    }
    return out;
}

// What the adapter will do: parse "t=<unix>,v1=<hex>", check the HMAC and the tolerance.
bool verify(const Delivery& d, const std::string& secret) {
    auto it = d.headers.find("admit-sim-signature");
    if (it == d.headers.end()) return false;
    const std::string& h = it->second;
    auto comma = h.find(",v1=");
    if (h.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
    std::string t = h.substr(2, comma - 2);
    std::string v1 = h.substr(comma + 4);
    long long ts = std::stoll(t);
    long long now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    if (std::llabs(now - ts) > 300) return false;
    return hmac_hex(secret, t + "." + d.body) == v1;
}

std::string webhook_config(const WebhookReceiver& receiver, const std::string& extra = "") {
    return "[webhooks]\nurl = \"" + receiver.url() + "\"\nretry_base_ms = 20\n" + extra;
}

json::object data_of(const Delivery& d) { return parse_object(d.body).at("data").as_object(); }

// Waits until the simulator has read `n` 2xx answers (and so handed the connection back to its
// pool), which is later than the receiver seeing the request.
bool delivered(PaySim& sim, int64_t n) {
    return eventually([&] {
        auto stats = sim.stats();
        return stats.contains("webhooks") &&
               stats.at("webhooks").as_object().at("delivered").as_int64() == n;
    });
}

TEST(PaySimWebhook, ConfirmSendsASignedPaymentStatusChangedEvent) {
    WebhookReceiver receiver;
    PaySim sim(webhook_config(receiver));
    auto key = sim.approve("order-hook-1", 15000);
    ASSERT_EQ(sim.confirm(key, "order-hook-1", 15000).status, 200);
    ASSERT_TRUE(receiver.wait_for(1));
    auto d = receiver.deliveries()[0];
    EXPECT_TRUE(verify(d, kWebhookSecret)) << d.headers["admit-sim-signature"];
    EXPECT_FALSE(verify(d, "another-secret"));
    auto body = parse_object(d.body);
    EXPECT_EQ(body.at("eventType").as_string(), "PAYMENT_STATUS_CHANGED");
    EXPECT_TRUE(body.at("createdAt").is_string());
    EXPECT_EQ(data_of(d).at("paymentKey").as_string(), key);
    EXPECT_EQ(data_of(d).at("status").as_string(), "DONE");
    EXPECT_EQ(d.headers["admit-sim-event-id"].rfind("evt_", 0), 0u);
    EXPECT_EQ(d.headers["admit-sim-delivery-attempt"], "1");
    // A tampered body fails verification.
    auto tampered = d;
    tampered.body[tampered.body.size() / 2] ^= 1;
    EXPECT_FALSE(verify(tampered, kWebhookSecret));
}

TEST(PaySimWebhook, DuplicateRateOneSendsEveryEventTwice) {
    WebhookReceiver receiver;
    PaySim sim(webhook_config(receiver, "duplicate_rate = 1.0\n"));
    auto key = sim.approve("order-hook-2", 5000);
    ASSERT_EQ(sim.confirm(key, "order-hook-2", 5000).status, 200);
    ASSERT_TRUE(receiver.wait_for(2));
    // Sentinel: with duplicates off, a later event arrives once; by then the first event has
    // arrived exactly twice.
    sim.set_config(R"({"webhooks":{"duplicate_rate":0}})");
    ASSERT_EQ(sim.cancel(key, R"({"cancelReason":"r"})").status, 200);
    ASSERT_TRUE(receiver.wait_for(3));
    auto all = receiver.deliveries();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].headers["admit-sim-event-id"], all[1].headers["admit-sim-event-id"]);
    EXPECT_EQ(all[0].body, all[1].body);
    EXPECT_TRUE(verify(all[1], kWebhookSecret));
    EXPECT_EQ(data_of(all[2]).at("status").as_string(), "CANCELED");
    EXPECT_NE(all[2].headers["admit-sim-event-id"], all[0].headers["admit-sim-event-id"]);
    EXPECT_EQ(parse_object(sim.get("/sim/stats").body)
                  .at("webhooks")
                  .as_object()
                  .at("duplicated")
                  .as_int64(),
              1);
}

TEST(PaySimWebhook, NonSuccessAnswersAreRetriedWithTheSameEventId) {
    WebhookReceiver receiver;
    receiver.answer_with({500, 503});
    PaySim sim(webhook_config(receiver));
    auto key = sim.approve("order-hook-3", 5000);
    ASSERT_EQ(sim.confirm(key, "order-hook-3", 5000).status, 200);
    ASSERT_TRUE(receiver.wait_for(3));
    auto all = receiver.deliveries();
    EXPECT_EQ(all[0].headers["admit-sim-delivery-attempt"], "1");
    EXPECT_EQ(all[2].headers["admit-sim-delivery-attempt"], "3");
    EXPECT_EQ(all[0].headers["admit-sim-event-id"], all[2].headers["admit-sim-event-id"]);
    EXPECT_TRUE(verify(all[2], kWebhookSecret));
    ASSERT_TRUE(eventually([&] {
        return parse_object(sim.get("/sim/stats").body)
                   .at("webhooks")
                   .as_object()
                   .at("delivered")
                   .as_int64() == 1;
    }));
}

TEST(PaySimWebhook, ReorderDeliversALaterEventFirst) {
    WebhookReceiver receiver;
    PaySim sim(webhook_config(receiver, "reorder_rate = 1.0\nreorder_hold_max_ms = 60000\n"));
    auto key = sim.approve("order-hook-4", 5000);
    ASSERT_EQ(sim.confirm(key, "order-hook-4", 5000).status, 200);  // DONE: held back
    sim.set_config(R"({"webhooks":{"reorder_rate":0}})");
    ASSERT_EQ(sim.cancel(key, R"({"cancelReason":"r"})").status, 200);  // CANCELED: goes first
    ASSERT_TRUE(receiver.wait_for(2));
    auto all = receiver.deliveries();
    EXPECT_EQ(data_of(all[0]).at("status").as_string(), "CANCELED");
    EXPECT_EQ(data_of(all[1]).at("status").as_string(), "DONE");
}

TEST(PaySimWebhook, KeepAliveConnectionsAreReused) {
    WebhookReceiver receiver(WebhookReceiver::Mode::keep_alive);
    PaySim sim(webhook_config(receiver));
    auto key = sim.approve("order-hook-6", 9000);
    ASSERT_EQ(sim.confirm(key, "order-hook-6", 9000).status, 200);
    ASSERT_TRUE(delivered(sim, 1));
    ASSERT_EQ(sim.cancel(key, R"({"cancelReason":"r","cancelAmount":1000})").status, 200);
    ASSERT_TRUE(delivered(sim, 2));
    ASSERT_EQ(sim.cancel(key, R"({"cancelReason":"r"})").status, 200);
    ASSERT_TRUE(delivered(sim, 3));
    ASSERT_EQ(receiver.deliveries().size(), 3u);
    EXPECT_EQ(receiver.connections(), 1u);
    for (const auto& d : receiver.deliveries()) EXPECT_TRUE(verify(d, kWebhookSecret));
}

TEST(PaySimWebhook, AStaleKeptConnectionIsReplacedWithoutLosingTheEvent) {
    WebhookReceiver receiver(WebhookReceiver::Mode::drop_after_answer);
    PaySim sim(webhook_config(receiver));
    auto key = sim.approve("order-hook-7", 9000);
    ASSERT_EQ(sim.confirm(key, "order-hook-7", 9000).status, 200);
    ASSERT_TRUE(delivered(sim, 1));
    ASSERT_EQ(sim.cancel(key, R"({"cancelReason":"r"})").status, 200);
    ASSERT_TRUE(delivered(sim, 2));
    auto all = receiver.deliveries();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(data_of(all[1]).at("status").as_string(), "CANCELED");
    EXPECT_EQ(all[1].headers["admit-sim-delivery-attempt"], "1");  // not counted as a retry
    EXPECT_EQ(receiver.connections(), 2u);
}

TEST(PaySimWebhook, DeclineSendsAbortedEvent) {
    WebhookReceiver receiver;
    PaySim sim(webhook_config(receiver, "[chaos]\ndecline_rate = 1.0\n"));
    auto key = sim.approve("order-hook-5", 5000);
    ASSERT_EQ(sim.confirm(key, "order-hook-5", 5000).status, 403);
    ASSERT_TRUE(receiver.wait_for(1));
    EXPECT_EQ(data_of(receiver.deliveries()[0]).at("status").as_string(), "ABORTED");
}

}  // namespace
}  // namespace admit::paysim::testing
