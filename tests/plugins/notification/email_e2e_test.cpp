// E-mail end to end: real accounts (the auth plugin gives the address), the harness's real SMTP
// server (aiosmtpd) requiring STARTTLS and AUTH, credentials from admitd's environment.
#include "notification_e2e_fixture.hpp"
#include "tests/outbound/test_http_server.hpp"
#include "tests/support/smtp_sink.hpp"

#include <filesystem>

namespace admit::testing {
namespace {

constexpr const char* kLogin = "mailer";
constexpr const char* kPassword = "smtp-secret-pw";

/// A self-signed certificate for 127.0.0.1 in a fresh folder (once per process).
const std::pair<std::string, std::string>& certificate() {
    static const std::pair<std::string, std::string> files = [] {
        const auto dir = write_temp_file("README", "smtp certificate").parent_path();
        std::string cert;
        std::string key;
        EXPECT_TRUE(outbound::testing::make_self_signed(dir.string(), cert, key));
        return std::make_pair(cert, key);
    }();
    return files;
}

class Email : public NotificationEndToEnd {
  protected:
    std::string authenticator() const override { return "auth"; }
    std::vector<std::string> venue_env() const override {
        return {std::string("ADMIT_SMTP_USER=") + kLogin,
                std::string("ADMIT_SMTP_PASSWORD=") + kPassword};
    }
    std::string notification_toml() const override {
        return "smtp_url = \"smtp://127.0.0.1:" + std::to_string(sink_.port()) +
               "\"\nsmtp_tls = \"required\"\nsmtp_ca_file = \"" + certificate().first +
               "\"\nemail_from = \"tickets@admit.test\"\nemail_from_name = \"Admit Demo Hall\"\n";
    }

    /// Signs up a customer; returns {user id, access token}.
    std::pair<std::string, std::string> customer(const std::string& email) {
        const std::string credentials =
            R"({"email": ")" + email + R"(", "password": "long-enough-pw")";
        auto signup = http_request(port_, "POST", "/api/v1/auth/signup",
                                   credentials + R"(, "name": "Buyer"})",
                                   {{"Content-Type", "application/json"}});
        EXPECT_EQ(signup.status, 201) << signup.body;
        auto login = http_request(port_, "POST", "/api/v1/auth/login", credentials + "}",
                                  {{"Content-Type", "application/json"}});
        EXPECT_EQ(login.status, 200) << login.body;
        return {std::string(json_of(signup)["id"].as_string()),
                std::string(json_of(login)["accessToken"].as_string())};
    }

    SmtpSink sink_{SmtpSink::Options{certificate().first, certificate().second, kLogin, kPassword}};
};

TEST_F(Email, ATicketMailArrivesOverStartTlsWithItsSubjectAndQrLink) {
    ASSERT_NE(sink_.port(), 0) << sink_.log();
    const auto [user, token] = customer("buyer@example.test");
    publish({{"ticket.issued",
              "sch_m",
              {{"ticketId", "tkt_mail"}, {"reservationId", "rsv_mail"}, {"userId", user}}}},
            token);
    ASSERT_TRUE(eventually([&] { return sink_.messages().size() == 1; })) << sink_.log();
    const auto mail = sink_.messages()[0];
    EXPECT_EQ(mail.at("to"), (boost::json::array{"buyer@example.test"}));
    EXPECT_EQ(mail.at("from"), "tickets@admit.test");
    EXPECT_EQ(mail.at("tls"), true);
    EXPECT_EQ(mail.at("auth"), kLogin);
    const std::string data(mail.at("data").as_string());
    EXPECT_NE(data.find("Subject: Your ticket is ready\r\n"), std::string::npos) << data;
    EXPECT_NE(data.find("https://tickets.example/api/v1/tickets/tkt_mail/qr.svg"),
              std::string::npos)
        << data;
    // The delivery is recorded on the buyer's list next to the in-app message.
    ASSERT_TRUE(eventually([&] {
        auto mine = http_request(port_, "GET", "/api/v1/notifications?channel=email", "",
                                 {{"Authorization", "Bearer " + token}});
        const auto items = json_of(mine)["items"];
        return items.is_array() && items.as_array().size() == 1 &&
               items.as_array()[0].at("status") == "sent";
    }));
}

TEST_F(Email, ABuyerWhoTurnedOffNonEssentialMailGetsOnlyEssentialMail) {
    ASSERT_NE(sink_.port(), 0) << sink_.log();
    const auto [user, token] = customer("quiet@example.test");
    auto off = http_request(
        port_, "PUT", "/api/v1/notifications/preferences", R"({"emailNonEssential": false})",
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    ASSERT_EQ(off.status, 200) << off.body;
    publish({{"reservation.held",  // non-essential
              "sch_q",
              {{"reservationId", "rsv_q"}, {"userId", user}, {"expiresAt", "soon"}}},
             {"reservation.confirmed",  // essential
              "sch_q",
              {{"reservationId", "rsv_q"},
               {"userId", user},
               {"total", {{"amount", 120000}, {"currency", "KRW"}}}}}},
            token);
    ASSERT_TRUE(eventually([&] { return !sink_.messages().empty(); })) << sink_.log();
    // Both messages were created in one event transaction each, in order: once the confirmation's
    // in-app message exists, the hold's decision was made long before.
    ASSERT_TRUE(eventually([&] {
        return pg_scalar("SELECT count(*) FROM notification.messages WHERE recipient = '" + user +
                         "' AND channel = 'in_app'") == 2;
    }));
    const auto mails = sink_.messages();
    ASSERT_EQ(mails.size(), 1u);
    EXPECT_NE(std::string(mails[0].at("data").as_string()).find("Total paid: 120000 KRW"),
              std::string::npos);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM notification.messages WHERE recipient = '" + user +
                        "' AND channel = 'email'"),
              1);
}

}  // namespace
}  // namespace admit::testing
