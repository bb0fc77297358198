// Webhooks end to end: a real receiver (tests/outbound's TestHttpServer) gets the signed minimal
// payload; a 500 is retried with back-off; a 410 disables the hook and an admin re-enables it; a
// redelivered event sends nothing twice; the admin routes answer errors with the contract body.
#include "notification_e2e_fixture.hpp"
#include "tests/outbound/test_http_server.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>

namespace admit::testing {
namespace {

using outbound::testing::TestHttpServer;

constexpr const char* kSecret = "whsec_0123456789abcdef";

/// hex(HMAC-SHA256(key, text)) with OpenSSL: an implementation independent of the plugin's.
std::string hmac_hex(const std::string& key, const std::string& text) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
    std::string hex;
    char byte[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", mac[i]);
        hex += byte;
    }
    return hex;
}

class Webhooks : public NotificationEndToEnd {
  protected:
    /// Creates a hook; returns its id.
    std::string create_hook(const std::string& url, const std::string& types_json) {
        auto created = admin("POST", "/api/v1/admin/webhooks",
                             R"({"url": ")" + url + R"(", "eventTypes": )" + types_json +
                                 R"(, "secret": ")" + kSecret + R"("})");
        EXPECT_EQ(created.status, 201) << created.body << created.error;
        return std::string(json_of(created)["id"].as_string());
    }
    std::vector<boost::json::object> deliveries(const std::string& hook) {
        return all_pages("/api/v1/admin/webhooks/" + hook + "/deliveries");
    }
    static TestEvent ticket_issued(const std::string& ticket) {
        return {"ticket.issued",
                "sch_w",
                {{"ticketId", ticket},
                 {"reservationId", "rsv_w"},
                 {"scheduleId", "sch_w"},
                 {"userId", "usr_w"},
                 {"seatLabel", "A-1-1"}}};
    }
};

TEST_F(Webhooks, TheReceiverGetsACorrectlySignedMinimalPayload) {
    TestHttpServer receiver;
    const std::string hook = create_hook(receiver.url("/ok"), R"(["ticket.*"])");
    publish({ticket_issued("tkt_1"),
             {"product.updated", "prd_1", {{"productId", "prd_1"}}}});  // not wanted
    ASSERT_TRUE(eventually([&] { return receiver.requests("/ok") >= 1; }));
    const auto headers = receiver.last_headers("/ok");
    const std::string body = receiver.last_body("/ok");
    // Admit-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    const std::string signature = headers.at("admit-signature");
    ASSERT_EQ(signature.rfind("t=", 0), 0u) << signature;
    const auto comma = signature.find(",v1=");
    ASSERT_NE(comma, std::string::npos) << signature;
    const std::string timestamp = signature.substr(2, comma - 2);
    EXPECT_EQ(signature.substr(comma + 4), hmac_hex(kSecret, timestamp + "." + body));
    EXPECT_LT(std::abs(std::stoll(timestamp) - static_cast<long long>(std::time(nullptr))), 300);
    EXPECT_NE(hmac_hex("another-secret-000", timestamp + "." + body), signature.substr(comma + 4));

    const auto payload = boost::json::parse(body).as_object();
    EXPECT_EQ(payload.at("type"), "ticket.issued");
    EXPECT_EQ(headers.at("admit-event-type"), "ticket.issued");
    EXPECT_EQ(headers.at("admit-event-id"), std::string(payload.at("id").as_string()));
    // Minimal: ids only, the rest is re-fetched through the API.
    EXPECT_EQ(payload.at("data").as_object(), (boost::json::object{{"ticketId", "tkt_1"},
                                                                   {"reservationId", "rsv_w"},
                                                                   {"scheduleId", "sch_w"},
                                                                   {"userId", "usr_w"}}));
    ASSERT_TRUE(eventually([&] {
        auto log = deliveries(hook);
        return log.size() == 1 && log[0].at("status") == "sent";
    }));
    const auto log = deliveries(hook);
    EXPECT_EQ(log[0].at("lastStatus"), 200);
    EXPECT_TRUE(log[0].at("latencyMs").is_int64()) << log[0];
    EXPECT_EQ(receiver.requests("/ok"), 1u);
}

TEST_F(Webhooks, A500IsRetriedWithBackOff) {
    TestHttpServer receiver;
    // ticket.* rather than *: the host's own policy.* events at startup must not be counted.
    const std::string hook = create_hook(receiver.url("/status?code=500"), R"(["ticket.*"])");
    publish({ticket_issued("tkt_2")});
    // backoff_initial_seconds = 1: the second attempt about a second after the first.
    ASSERT_TRUE(eventually([&] { return receiver.requests("/status") >= 2; }));
    auto log = deliveries(hook);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].at("lastStatus"), 500);
    EXPECT_GE(log[0].at("attempts").as_int64(), 2);
    EXPECT_NE(log[0].at("status"), "sent");
    EXPECT_NE(log[0].at("status"), "dead");
    EXPECT_TRUE(log[0].at("nextAttemptAt").is_string()) << log[0];
}

TEST_F(Webhooks, A410DisablesTheHook) {
    TestHttpServer gone;
    TestHttpServer live;
    const std::string gone_hook = create_hook(gone.url("/status?code=410"), R"(["ticket.*"])");
    const std::string live_hook = create_hook(live.url("/ok"), R"(["ticket.*"])");
    publish({ticket_issued("tkt_3")});
    ASSERT_TRUE(eventually([&] {
        return json_of(admin("GET", "/api/v1/admin/webhooks/" + gone_hook))["status"] == "DISABLED";
    }));
    auto log = deliveries(gone_hook);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].at("status"), "dead");
    EXPECT_EQ(log[0].at("lastStatus"), 410);
    // A later event goes to the live hook only.
    publish({ticket_issued("tkt_4")});
    ASSERT_TRUE(eventually([&] { return live.requests("/ok") == 2; }));
    EXPECT_EQ(deliveries(gone_hook).size(), 1u);
    EXPECT_EQ(gone.requests("/status"), 1u);
}

TEST_F(Webhooks, AnAdminReEnablesAHookA410Disabled) {
    TestHttpServer receiver;
    // The receiver answers 410 (gone): the first delivery disables the hook.
    const std::string hook = create_hook(receiver.url("/status?code=410"), R"(["ticket.*"])");
    publish({ticket_issued("tkt_e1")});
    ASSERT_TRUE(eventually([&] {
        return json_of(admin("GET", "/api/v1/admin/webhooks/" + hook))["status"] == "DISABLED";
    }));
    // Not for the hook's own creator or a seller: admins only.
    for (const std::string role : {"customer", "seller"}) {
        auto refused =
            as("usr_" + role, role, "POST", "/api/v1/admin/webhooks/" + hook + "/enable");
        EXPECT_EQ(refused.status, 403) << refused.body;
        EXPECT_EQ(json_of(refused)["code"], "FORBIDDEN") << refused.body;
    }
    EXPECT_EQ(json_of(admin("GET", "/api/v1/admin/webhooks/" + hook))["status"], "DISABLED");

    auto enabled = admin("POST", "/api/v1/admin/webhooks/" + hook + "/enable");
    ASSERT_EQ(enabled.status, 200) << enabled.body;
    EXPECT_EQ(json_of(enabled)["status"], "ACTIVE");
    EXPECT_TRUE(json_of(enabled)["disabledReason"].is_null()) << enabled.body;
    // Enabling an active hook changes nothing.
    auto again = admin("POST", "/api/v1/admin/webhooks/" + hook + "/enable");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again)["status"], "ACTIVE");
    EXPECT_EQ(json_of(again)["updatedAt"], json_of(enabled)["updatedAt"]);
    // One audit event for the one change (the second call changed nothing).
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'notification.webhook_enabled' AND payload::jsonb->>'webhookId' = '" +
                        hook + "' AND payload::jsonb->>'actor' = 'usr_admin'"),
              1);

    // The next event is delivered to it again (and disables it again: the receiver still answers
    // 410, which shows the delivery was attempted).
    publish({ticket_issued("tkt_e2")});
    ASSERT_TRUE(eventually([&] { return receiver.requests("/status") == 2; }));
    ASSERT_TRUE(eventually([&] { return deliveries(hook).size() == 2; }));

    // A deleted hook cannot be enabled, nor an unknown one.
    ASSERT_EQ(admin("DELETE", "/api/v1/admin/webhooks/" + hook).status, 204);
    for (const std::string& id : {hook, std::string("whk_nope")}) {
        auto missing = admin("POST", "/api/v1/admin/webhooks/" + id + "/enable");
        EXPECT_EQ(missing.status, 404) << missing.body;
        EXPECT_EQ(json_of(missing)["code"], "NOT_FOUND") << missing.body;
        EXPECT_TRUE(json_of(missing).contains("traceId")) << missing.body;
    }
}

TEST_F(Webhooks, ARedeliveredEventSendsNothingTwice) {
    TestHttpServer receiver;
    create_hook(receiver.url("/ok"), R"(["ticket.issued"])");
    publish({ticket_issued("tkt_5")});
    ASSERT_TRUE(eventually([&] { return receiver.requests("/ok") == 1; }));
    const auto event_id = std::to_string(
        pg_scalar("SELECT id FROM admit.event_outbox WHERE topic = 'ticket.issued'"));
    pg_exec(
        "DELETE FROM admit.event_handled WHERE subscriber = 'notification.webhooks' AND "
        "event_id = " +
        event_id);
    pg_exec("UPDATE admit.event_outbox SET relayed_at = NULL WHERE id = " + event_id);
    ASSERT_TRUE(eventually([&] {
        return pg_scalar(
                   "SELECT count(*) FROM admit.event_handled WHERE subscriber = "
                   "'notification.webhooks' AND event_id = " +
                   event_id) == 1;
    }));
    publish({ticket_issued("tkt_6")});  // the sentinel, same key: handled after the redelivery
    ASSERT_TRUE(eventually([&] {
        return receiver.requests("/ok") >= 2 &&
               boost::json::parse(receiver.last_body("/ok")).at("data").at("ticketId") == "tkt_6";
    }));
    EXPECT_EQ(receiver.requests("/ok"), 2u);
}

TEST_F(Webhooks, ListShowDeleteAndErrors) {
    TestHttpServer receiver;
    const std::string hook =
        create_hook(receiver.url("/ok"), R"(["reservation.*", "ticket.issued"])");
    auto listed = json_of(admin("GET", "/api/v1/admin/webhooks"));
    ASSERT_EQ(listed["items"].as_array().size(), 1u);
    const auto& shown = listed["items"].as_array()[0].as_object();
    EXPECT_EQ(shown.at("id"), hook.c_str());
    EXPECT_FALSE(shown.contains("secret"));  // never shown again
    EXPECT_EQ(shown.at("eventTypes"), (boost::json::array{"reservation.*", "ticket.issued"}));
    EXPECT_EQ(admin("DELETE", "/api/v1/admin/webhooks/" + hook).status, 204);
    EXPECT_EQ(admin("GET", "/api/v1/admin/webhooks/" + hook).status, 404);
    EXPECT_TRUE(json_of(admin("GET", "/api/v1/admin/webhooks"))["items"].as_array().empty());
    EXPECT_EQ(admin("DELETE", "/api/v1/admin/webhooks/" + hook).status, 404);
    // Each admin change is an event for the audit log, with who made it, never the secret or URL.
    const auto changes = [&](const std::string& topic) {
        return pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = '" + topic +
                         "' AND payload::jsonb->>'webhookId' = '" + hook +
                         "' AND payload::jsonb->>'actor' = 'usr_admin'");
    };
    EXPECT_EQ(changes("notification.webhook_created"), 1);
    EXPECT_EQ(changes("notification.webhook_deleted"), 1);  // the second DELETE changed nothing
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE payload LIKE '%" +
                  std::string(kSecret) + "%' OR payload LIKE '%" + receiver.url("/ok") + "%'"),
        0);

    const std::string url = receiver.url("/ok");
    struct Case {
        std::string role, method, target, body;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"customer", "GET", "/api/v1/admin/webhooks", "", 403, "FORBIDDEN"},
        {"seller", "POST", "/api/v1/admin/webhooks",
         R"({"url": ")" + url + R"(", "eventTypes": ["*"], "secret": ")" + kSecret + R"("})", 403,
         "FORBIDDEN"},
        {"admin", "POST", "/api/v1/admin/webhooks",
         R"({"url": "ftp://x", "eventTypes": ["*"], "secret": ")" + std::string(kSecret) + R"("})",
         400, "INVALID_REQUEST"},
        {"admin", "POST", "/api/v1/admin/webhooks",
         R"({"url": ")" + url + R"(", "eventTypes": [], "secret": ")" + kSecret + R"("})", 400,
         "INVALID_REQUEST"},
        {"admin", "POST", "/api/v1/admin/webhooks",
         R"({"url": ")" + url + R"(", "eventTypes": ["Bad Topic"], "secret": ")" + kSecret +
             R"("})",
         400, "INVALID_REQUEST"},
        {"admin", "POST", "/api/v1/admin/webhooks",
         R"({"url": ")" + url + R"(", "eventTypes": ["*"], "secret": "short"})", 400,
         "INVALID_REQUEST"},
        {"admin", "POST", "/api/v1/admin/webhooks", "not json", 400, "INVALID_REQUEST"},
        {"admin", "DELETE", "/api/v1/admin/webhooks/whk_nope", "", 404, "NOT_FOUND"},
        {"admin", "GET", "/api/v1/admin/webhooks/whk_nope/deliveries", "", 404, "NOT_FOUND"},
    };
    for (const auto& c : cases) {
        auto answer = as("usr_" + c.role, c.role, c.method, c.target, c.body);
        EXPECT_EQ(answer.status, c.status) << c.method << " " << c.target << " " << answer.body;
        auto body = json_of(answer);
        EXPECT_EQ(body["code"], c.code.c_str()) << c.target << " " << answer.body;
        EXPECT_TRUE(body.contains("message") && body.contains("traceId")) << answer.body;
    }
}

}  // namespace
}  // namespace admit::testing
