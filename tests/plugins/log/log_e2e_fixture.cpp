#include "log_e2e_fixture.hpp"

namespace admit::testing {

void LogEndToEnd::start_admitd(const std::string& log_toml) {
    admitd_.reset();
    TestVenue venue{.plugins = {"test_auth", "log", "log_test_hooks"},
                    .extra_toml = "[plugin.log]\n" + log_toml};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    admitd_ = std::make_unique<AdmitdProcess>(ADMIT_ADMITD_BINARY,
                                              std::vector<std::string>{"--config", file.string()});
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

HttpResult LogEndToEnd::as(const std::string& user, const std::string& role,
                           const std::string& method, const std::string& target) {
    std::map<std::string, std::string> headers;
    if (!role.empty()) headers["Authorization"] = "Bearer test:" + role + ":" + user;
    return http_request(port_, method, target, "", headers, 20000);
}

void LogEndToEnd::publish(const std::vector<TestEvent>& events) {
    boost::json::array list;
    for (const auto& event : events) {
        list.push_back(boost::json::object{
            {"topic", event.topic}, {"key", event.key}, {"payload", event.payload}});
    }
    auto answer = http_request(
        port_, "POST", "/api/v1/test/publish",
        boost::json::serialize(boost::json::object{{"events", std::move(list)}}),
        {{"Authorization", "Bearer test:admin:usr_admin"}, {"Content-Type", "application/json"}},
        20000);
    ASSERT_EQ(answer.status, 204) << answer.body;
}

void LogEndToEnd::await_entries(int64_t count) {
    ASSERT_TRUE(eventually([&] { return pg_scalar("SELECT count(*) FROM log.entries") >= count; }))
        << "audit entries: " << pg_scalar("SELECT count(*) FROM log.entries") << " of " << count;
}

std::vector<boost::json::object> LogEndToEnd::all_pages(const std::string& target) {
    std::vector<boost::json::object> items;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        const char separator = target.find('?') == std::string::npos ? '?' : '&';
        auto answer = admin("GET", cursor.empty() ? target : target + separator + "cursor=" + cursor);
        EXPECT_EQ(answer.status, 200) << answer.body;
        auto body = json_of(answer);
        for (const auto& item : body["items"].as_array()) items.push_back(item.as_object());
        if (!body["nextCursor"].is_string()) break;
        cursor = std::string(body["nextCursor"].as_string());
    }
    return items;
}

}  // namespace admit::testing
