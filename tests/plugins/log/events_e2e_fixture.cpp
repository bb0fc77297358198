#include "events_e2e_fixture.hpp"

namespace admit::testing {

void PluginEndToEnd::start_admitd() {
    admitd_.reset();
    std::vector<std::string> plugins = {authenticator(), "log_test_hooks"};
    for (const auto& plugin : venue_plugins()) plugins.push_back(plugin);
    TestVenue venue{.plugins = plugins, .extra_toml = venue_extra_toml()};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    admitd_ = std::make_unique<AdmitdProcess>(
        ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()}, venue_env());
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

HttpResult PluginEndToEnd::as(const std::string& user, const std::string& role,
                              const std::string& method, const std::string& target,
                              const std::string& body) {
    std::map<std::string, std::string> headers;
    if (!role.empty()) headers["Authorization"] = "Bearer test:" + role + ":" + user;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_request(port_, method, target, body, headers, 20000);
}

void PluginEndToEnd::publish(const std::vector<TestEvent>& events, const std::string& bearer) {
    boost::json::array list;
    for (const auto& event : events) {
        list.push_back(boost::json::object{
            {"topic", event.topic}, {"key", event.key}, {"payload", event.payload}});
    }
    auto answer = http_request(
        port_, "POST", "/api/v1/test/publish",
        boost::json::serialize(boost::json::object{{"events", std::move(list)}}),
        {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}}, 20000);
    ASSERT_EQ(answer.status, 204) << answer.body;
}

void LogEndToEnd::await_entries(int64_t count) {
    ASSERT_TRUE(eventually([&] { return pg_scalar("SELECT count(*) FROM log.entries") >= count; }))
        << "audit entries: " << pg_scalar("SELECT count(*) FROM log.entries") << " of " << count;
}

std::vector<boost::json::object> PluginEndToEnd::all_pages(const std::string& target,
                                                           const std::string& user,
                                                           const std::string& role) {
    std::vector<boost::json::object> items;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        const char separator = target.find('?') == std::string::npos ? '?' : '&';
        auto answer = as(user, role, "GET",
                         cursor.empty() ? target : target + separator + "cursor=" + cursor);
        EXPECT_EQ(answer.status, 200) << answer.body;
        auto body = json_of(answer);
        if (answer.status != 200 || !body["items"].is_array()) break;
        for (const auto& item : body["items"].as_array()) items.push_back(item.as_object());
        if (!body["nextCursor"].is_string()) break;
        cursor = std::string(body["nextCursor"].as_string());
    }
    return items;
}

}  // namespace admit::testing
