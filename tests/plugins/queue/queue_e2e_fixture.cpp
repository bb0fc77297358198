#include "queue_e2e_fixture.hpp"

#include <pqxx/pqxx>

#include <sodium.h>

#include <array>
#include <cstdio>
#include <thread>

namespace admit::testing {

void QueueEndToEnd::SetUp() {
    ASSERT_GE(sodium_init(), 0);
    key_.fill(0x5a);
    // No ticket plugin in this venue, so no cancel guard (cancel_guard = "").
    TestVenue venue{.plugins = {"test_auth", "product", "reservation", "queue"},
                    .plugin_dir = QUEUE_TEST_PLUGIN_DIR,
                    .extra_toml =
                        "[plugin.reservation]\nexpiry_interval_ms = 100\ncancel_guard = \"\"\n"
                        "[plugin.queue]\ngrace_seconds = 3\nsweep_seconds = 1\n"};
    venue_file_ = write_temp_file("venue.toml", venue_toml(venue, &storage_)).string();
    spawn_admitd();
}

uint16_t QueueEndToEnd::spawn_admitd() {
    const std::string key_text =
        queue::base64url(std::string(reinterpret_cast<const char*>(key_.data()), key_.size()));
    auto process = std::make_unique<AdmitdProcess>(
        ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_file_},
        std::vector<std::string>{"ADMIT_QUEUE_ENTRY_KEY=" + key_text});
    auto port = process->wait_until_serving();
    EXPECT_TRUE(port.has_value()) << process->log();
    admitds_.push_back(std::move(process));
    ports_.push_back(port.value_or(0));
    return port.value_or(0);
}

HttpResult QueueEndToEnd::as(const std::string& user, const std::string& method,
                             const std::string& target, const std::string& body,
                             std::map<std::string, std::string> headers, const std::string& role,
                             int host) {
    headers["Authorization"] = "Bearer test:" + role + ":" + user;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_request(ports_.at(static_cast<std::size_t>(host)), method, target, body, headers,
                        20000);
}

HttpResult QueueEndToEnd::join(const std::string& user, const std::string& schedule, int host) {
    return as(user, "POST", "/api/v1/schedules/" + schedule + "/queue", "", {}, "customer", host);
}

HttpResult QueueEndToEnd::status(const std::string& user, const std::string& schedule, int host) {
    return as(user, "GET", "/api/v1/schedules/" + schedule + "/queue", "", {}, "customer", host);
}

HttpResult QueueEndToEnd::admin(const std::string& method, const std::string& schedule,
                                const std::string& action, const std::string& body) {
    return as(
        "usr_operator", method,
        "/api/v1/admin/schedules/" + schedule + "/queue" + (action.empty() ? "" : "/" + action),
        body, {}, "admin");
}

HttpResult QueueEndToEnd::hold_units(const std::string& user, const std::string& schedule,
                                     int quantity, const std::string& entry_token) {
    std::map<std::string, std::string> headers;
    if (!entry_token.empty()) headers["X-Entry-Token"] = entry_token;
    return as(user, "POST", "/api/v1/reservations",
              boost::json::serialize(boost::json::object{
                  {"scheduleId", schedule}, {"gradeId", "grd_ga"}, {"quantity", quantity}}),
              headers);
}

bool QueueEndToEnd::await(const std::function<bool()>& condition,
                          std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
}

boost::json::object QueueEndToEnd::await_admitted(const std::string& user,
                                                  const std::string& schedule,
                                                  std::chrono::milliseconds timeout) {
    boost::json::object body;
    await(
        [&] {
            auto answer = status(user, schedule);
            body = json_of(answer);
            return answer.status == 200 && text_of(body, "status") == "ADMITTED";
        },
        timeout);
    return text_of(body, "status") == "ADMITTED" ? body : boost::json::object{};
}

int64_t QueueEndToEnd::pg_scalar(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
}

std::string QueueEndToEnd::redis_cli(const std::string& arguments) {
    const std::string command =
        "redis-cli -p " + std::to_string(storage_.redis_port()) + " " + arguments + " 2>&1";
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        std::array<char, 256> buffer{};
        while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
        ::pclose(pipe);
    }
    return output;
}

std::string QueueEndToEnd::code_of(const HttpResult& result) {
    return text_of(json_of(result), "code");
}

boost::json::object QueueEndToEnd::json_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
}

std::string QueueEndToEnd::text_of(const boost::json::object& body, const char* key) {
    const auto* value = body.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

}  // namespace admit::testing
