// The notification plugin end to end, in-app channel and delivery machinery: messages from the
// events people care about, rendered from the venue's templates, delivered by the job, read
// marks, preferences, rate limits, dead letters, idempotency and the error answers.
#include "notification_e2e_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <set>

namespace admit::testing {
namespace {

boost::json::object money(int64_t amount) { return {{"amount", amount}, {"currency", "KRW"}}; }

TestEvent confirmed(const std::string& reservation, const std::string& user, int64_t total) {
    return {"reservation.confirmed",
            "sch_1",
            {{"reservationId", reservation},
             {"scheduleId", "sch_1"},
             {"userId", user},
             {"total", money(total)},
             {"actor", user}}};
}

class InApp : public NotificationEndToEnd {};

TEST_F(InApp, AConfirmedReservationTellsItsBuyerWithTheAmount) {
    publish({confirmed("rsv_1", "usr_buyer", 150000)});
    auto messages = await_messages("usr_buyer", 1);
    ASSERT_EQ(messages.size(), 1u);
    const auto& message = messages[0];
    EXPECT_EQ(message.at("kind"), "reservation_confirmed");
    EXPECT_EQ(message.at("channel"), "in_app");
    EXPECT_EQ(message.at("title"), "Reservation rsv_1 confirmed");
    EXPECT_NE(std::string(message.at("body").as_string()).find("Total paid: 150000 KRW"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.at("read"), false);
    EXPECT_TRUE(message.at("sentAt").is_string());
    // Nobody else hears of it.
    EXPECT_TRUE(messages_of("usr_other").empty());
}

TEST_F(InApp, ATicketMessageCarriesItsQrLink) {
    publish({{"ticket.issued",
              "sch_1",
              {{"ticketId", "tkt_42"}, {"reservationId", "rsv_2"}, {"userId", "usr_fan"}}}});
    auto messages = await_messages("usr_fan", 1);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(std::string(messages[0].at("body").as_string())
                  .find("https://tickets.example/api/v1/tickets/tkt_42/qr.svg"),
              std::string::npos)
        << messages[0];
}

TEST_F(InApp, OnlyTheEventsPeopleCareAboutMakeMessages) {
    publish({{"reservation.released",
              "sch_1",
              {{"reservationId", "rsv_a"}, {"userId", "usr_q"}, {"reason", "RELEASED"}}},
             {"reservation.released",
              "sch_1",
              {{"reservationId", "rsv_b"}, {"userId", "usr_q"}, {"reason", "EXPIRED"}}},
             {"reservation.cancelled",
              "sch_1",
              {{"reservationId", "rsv_c"},
               {"userId", "usr_q"},
               {"reason", "PRODUCT_CANCELLED"},
               {"refund", money(1000)}}},
             {"product.updated", "prd_1", {{"productId", "prd_1"}, {"userId", "usr_q"}}},
             {"queue.admitted",
              "sch_1",
              {{"scheduleId", "sch_1"}, {"userId", "usr_q"}, {"tokenExpiresAt", "soon"}}}});
    auto messages = await_messages("usr_q", 3);
    std::multiset<std::string> kinds;
    for (const auto& message : messages) kinds.insert(std::string(message.at("kind").as_string()));
    EXPECT_EQ(kinds, (std::multiset<std::string>{"reservation_expired", "product_cancelled",
                                                 "queue_admitted"}));
}

TEST_F(InApp, ReadMarksAndTheReadFilter) {
    publish({confirmed("rsv_1", "usr_r", 1), confirmed("rsv_2", "usr_r", 2),
             confirmed("rsv_3", "usr_r", 3)});
    auto messages = await_messages("usr_r", 3);
    ASSERT_EQ(messages.size(), 3u);
    const std::string id(messages[1].at("id").as_string());
    auto read = as("usr_r", "customer", "POST", "/api/v1/notifications/" + id + "/read");
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(json_of(read)["read"], true);
    const auto first_read_at = json_of(read)["readAt"];
    // Reading twice keeps the first time.
    EXPECT_EQ(
        json_of(as("usr_r", "customer", "POST", "/api/v1/notifications/" + id + "/read"))["readAt"],
        first_read_at);
    auto unread = messages_of("usr_r", "?read=false");
    auto only_read = messages_of("usr_r", "?read=true");
    ASSERT_EQ(only_read.size(), 1u);
    EXPECT_EQ(only_read[0].at("id"), id.c_str());
    EXPECT_EQ(unread.size(), 2u);
    for (const auto& message : unread) EXPECT_NE(message.at("id"), id.c_str());
    // Another user cannot read (or learn of) it.
    auto stranger = as("usr_x", "customer", "POST", "/api/v1/notifications/" + id + "/read");
    EXPECT_EQ(stranger.status, 404) << stranger.body;
}

TEST_F(InApp, PagesWalkEveryMessageOnce) {
    std::vector<TestEvent> events;
    for (int i = 0; i < 7; ++i)
        events.push_back(confirmed("rsv_p" + std::to_string(i), "usr_p", i));
    publish(events);
    await_messages("usr_p", 7);
    auto paged = all_pages("/api/v1/notifications?limit=3", "usr_p", "customer");
    std::set<std::string> ids;
    for (const auto& message : paged) ids.insert(std::string(message.at("id").as_string()));
    EXPECT_EQ(paged.size(), 7u);
    EXPECT_EQ(ids.size(), 7u);
}

TEST_F(InApp, ARedeliveredEventSendsNothingTwice) {
    publish({confirmed("rsv_d", "usr_d", 5)});
    await_messages("usr_d", 1);
    const auto event_id = std::to_string(
        pg_scalar("SELECT id FROM admit.event_outbox WHERE topic = 'reservation.confirmed'"));
    const std::string subscriber = "notification.people.reservation.confirmed";
    pg_exec("DELETE FROM admit.event_handled WHERE subscriber = '" + subscriber +
            "' AND event_id = " + event_id);
    pg_exec("UPDATE admit.event_outbox SET relayed_at = NULL WHERE id = " + event_id);
    ASSERT_TRUE(eventually([&] {
        return pg_scalar("SELECT count(*) FROM admit.event_handled WHERE subscriber = '" +
                         subscriber + "' AND event_id = " + event_id) == 1;
    }));
    publish({confirmed("rsv_e", "usr_d", 6)});  // a later event of the same key: a sentinel
    await_messages("usr_d", 2);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM notification.messages WHERE event_id = '" + event_id + "'"),
        1);
}

TEST_F(InApp, ATemplateThatCannotRenderIsADeadLetterAdminsSeeAndRetry) {
    // payment_failed needs failure.code and failure.message: this payload has none.
    publish({{"payment.failed", "rsv_f", {{"reservationId", "rsv_f"}, {"userId", "usr_f"}}}});
    auto messages = await_messages("usr_f", 1, "dead");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(std::string(messages[0].at("lastError").as_string()).find("failure.code"),
              std::string::npos)
        << messages[0];
    auto dead = all_pages("/api/v1/admin/notifications/dead");
    ASSERT_EQ(dead.size(), 1u);
    const std::string id(dead[0].at("id").as_string());
    // The template still cannot tell it: the retry says so and leaves it dead.
    auto retry = admin("POST", "/api/v1/admin/notifications/" + id + "/retry");
    EXPECT_EQ(retry.status, 422) << retry.body;
    EXPECT_EQ(json_of(retry)["code"], "TEMPLATE_ERROR");
    EXPECT_EQ(all_pages("/api/v1/admin/notifications/dead").size(), 1u);
}

TEST_F(InApp, PreferencesRoundTrip) {
    auto initial = as("usr_pref", "customer", "GET", "/api/v1/notifications/preferences");
    ASSERT_EQ(initial.status, 200) << initial.body;
    EXPECT_EQ(json_of(initial)["emailNonEssential"], true);
    auto set = as("usr_pref", "customer", "PUT", "/api/v1/notifications/preferences",
                  R"({"emailNonEssential": false, "language": "ko"})");
    ASSERT_EQ(set.status, 200) << set.body;
    auto now = json_of(as("usr_pref", "customer", "GET", "/api/v1/notifications/preferences"));
    EXPECT_EQ(now["emailNonEssential"], false);
    EXPECT_EQ(now["language"], "ko");
    // Someone else's are untouched.
    EXPECT_EQ(json_of(as("usr_o", "customer", "GET",
                         "/api/v1/notifications/preferences"))["emailNonEssential"],
              true);
}

TEST_F(InApp, AKoreanSpeakerGetsTheKoreanTemplate) {
    auto set = as("usr_ko", "customer", "PUT", "/api/v1/notifications/preferences",
                  R"({"emailNonEssential": true, "language": "ko"})");
    ASSERT_EQ(set.status, 200) << set.body;
    publish({confirmed("rsv_ko", "usr_ko", 77000), confirmed("rsv_en", "usr_en", 88000)});
    auto korean = await_messages("usr_ko", 1);
    ASSERT_EQ(korean.size(), 1u);
    EXPECT_EQ(korean[0].at("title"), "예매 rsv_ko이(가) 확정되었습니다");
    EXPECT_NE(std::string(korean[0].at("body").as_string()).find("결제 금액: 77000 KRW"),
              std::string::npos)
        << korean[0];
    // A buyer who chose no language gets the venue's default (English).
    auto english = await_messages("usr_en", 1);
    ASSERT_EQ(english.size(), 1u);
    EXPECT_EQ(english[0].at("title"), "Reservation rsv_en confirmed");
}

TEST_F(InApp, AnswersErrorsWithTheContractBody) {
    publish({confirmed("rsv_s", "usr_s", 5)});
    const auto sent = await_messages("usr_s", 1);
    ASSERT_EQ(sent.size(), 1u);
    const std::string sent_id(sent[0].at("id").as_string());
    struct Case {
        std::string user, role, method, target, body;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"", "", "GET", "/api/v1/notifications", "", 401, "UNAUTHENTICATED"},
        {"usr_s", "customer", "GET", "/api/v1/notifications?cursor=x", "", 400, "INVALID_REQUEST"},
        {"usr_s", "customer", "GET", "/api/v1/notifications?read=maybe", "", 400,
         "INVALID_REQUEST"},
        {"usr_s", "customer", "GET", "/api/v1/notifications?channel=fax", "", 400,
         "INVALID_REQUEST"},
        {"usr_s", "customer", "GET", "/api/v1/notifications?limit=500", "", 400, "INVALID_REQUEST"},
        {"usr_s", "customer", "POST", "/api/v1/notifications/ntf_nope/read", "", 404, "NOT_FOUND"},
        {"usr_s", "customer", "PUT", "/api/v1/notifications/preferences", "{}", 400,
         "INVALID_REQUEST"},
        {"usr_s", "customer", "PUT", "/api/v1/notifications/preferences",
         R"({"emailNonEssential": "no"})", 400, "INVALID_REQUEST"},
        {"usr_s", "customer", "GET", "/api/v1/admin/notifications/dead", "", 403, "FORBIDDEN"},
        {"usr_s", "customer", "POST", "/api/v1/admin/notifications/" + sent_id + "/retry", "", 403,
         "FORBIDDEN"},
        {"usr_admin", "admin", "POST", "/api/v1/admin/notifications/ntf_nope/retry", "", 404,
         "NOT_FOUND"},
        {"usr_admin", "admin", "POST", "/api/v1/admin/notifications/" + sent_id + "/retry", "", 409,
         "INVALID_STATE"},
    };
    for (const auto& c : cases) {
        auto answer = as(c.user, c.role, c.method, c.target, c.body);
        EXPECT_EQ(answer.status, c.status) << c.method << " " << c.target << " " << answer.body;
        auto body = json_of(answer);
        EXPECT_EQ(body["code"], c.code.c_str()) << c.target << " " << answer.body;
        EXPECT_TRUE(body.contains("message") && body.contains("traceId")) << answer.body;
    }
}

class SlowInApp : public NotificationEndToEnd {
    std::string notification_toml() const override { return "in_app_per_second = 4\n"; }
};

TEST_F(SlowInApp, TheChannelRateLimitSpacesDeliveries) {
    std::vector<TestEvent> events;
    for (int i = 0; i < 10; ++i)
        events.push_back(confirmed("rsv_l" + std::to_string(i), "usr_l", i));
    publish(events);
    await_messages("usr_l", 10);
    // A burst of at most 4, then 4 a second: the last of 10 goes out at least 1.5 s after the
    // first.
    const int64_t spread_us = pg_scalar(
        "SELECT max(sent_us) - min(sent_us) FROM notification.messages WHERE recipient = 'usr_l'");
    EXPECT_GE(spread_us, 1'400'000) << spread_us;
}

}  // namespace
}  // namespace admit::testing

namespace admit::testing {
namespace {

TEST(NotificationStartup, ABrokenTemplateIsAClearStartupError) {
    const auto dir = write_temp_file("README", "broken templates").parent_path();
    std::filesystem::create_directories(dir / "en");
    std::ofstream(dir / "en" / "reservation_held.txt") << "Held {{ oops\n---\nbody\n";
    IsolatedStorage storage;
    TestVenue venue{
        .plugins = {"test_auth", "notification"},
        .extra_toml = "[plugin.notification]\ntemplates_dir = \"" + dir.string() + "\"\n"};
    AdmitdProcess admitd(
        ADMIT_ADMITD_BINARY,
        {"--config", write_temp_file("venue.toml", venue_toml(venue, &storage)).string()});
    const auto status = admitd.wait_exit();
    ASSERT_TRUE(status.has_value()) << admitd.log();
    EXPECT_NE(*status, 0);
    EXPECT_NE(admitd.log().find("reservation_held.txt:1: '{{' is not closed"), std::string::npos)
        << admitd.log();
}

}  // namespace
}  // namespace admit::testing

namespace admit::testing {
namespace {

TEST(NotificationStartup, ARelativeTemplatesDirIsFoundBesideTheVenueFile) {
    // The venue file and its templates in one folder; admitd started from another one ("/"), so
    // "notifications" means the folder beside the venue file only if admitd resolved it there.
    const auto dir = write_temp_file("README", "a venue folder").parent_path();
    std::filesystem::copy(ADMIT_TEST_SOURCE_DIR "/config/venues/demo/notifications",
                          dir / "notifications", std::filesystem::copy_options::recursive);
    IsolatedStorage storage;
    TestVenue venue{.plugins = {"test_auth", "log_test_hooks", "notification"},
                    .extra_toml =
                        "[plugin.notification]\ntemplates_dir = \"notifications\"\n"
                        "delivery_interval_ms = 50\n"};
    const auto file = dir / "venue.toml";
    std::ofstream(file) << venue_toml(venue, &storage);
    AdmitdProcess admitd("/bin/sh", {"-c", "cd / && exec \"$0\" --config \"$1\"",
                                     ADMIT_ADMITD_BINARY, file.string()});
    const auto port = admitd.wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd.log();

    // The templates are the demo venue's: a confirmed reservation reads as its template says.
    const boost::json::object event{{"topic", "reservation.confirmed"},
                                    {"key", "sch_rel"},
                                    {"payload",
                                     {{"reservationId", "rsv_rel"},
                                      {"userId", "usr_rel"},
                                      {"total", {{"amount", 1000}, {"currency", "KRW"}}}}}};
    auto published = http_request(
        *port, "POST", "/api/v1/test/publish",
        boost::json::serialize(boost::json::object{{"events", boost::json::array{event}}}),
        {{"Authorization", "Bearer test:admin:usr_admin"}, {"Content-Type", "application/json"}});
    ASSERT_EQ(published.status, 204) << published.body;
    std::string title;
    EXPECT_TRUE(eventually([&] {
        auto answer = http_request(*port, "GET", "/api/v1/notifications", "",
                                   {{"Authorization", "Bearer test:customer:usr_rel"}});
        if (answer.status != 200) return false;
        const auto items = boost::json::parse(answer.body).at("items").as_array();
        if (items.empty()) return false;
        title = std::string(items[0].at("title").as_string());
        return true;
    })) << admitd.log();
    EXPECT_EQ(title, "Reservation rsv_rel confirmed");
}

}  // namespace
}  // namespace admit::testing
