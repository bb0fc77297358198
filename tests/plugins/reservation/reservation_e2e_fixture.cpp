#include "reservation_e2e_fixture.hpp"

#include <pqxx/pqxx>

#include <array>
#include <cstdio>
#include <latch>
#include <thread>

namespace admit::testing {

void ReservationEndToEnd::start_admitd(bool manual_clock, const std::string& extra_settings,
                                       unsigned workers) {
    admitd_.reset();
    // No ticket plugin in this venue, so no cancel guard (cancel_guard = "").
    TestVenue venue{
        .plugins = {"test_auth", "product", "reservation"},
        .plugin_dir = RESERVATION_STUB_PLUGIN_DIR,
        .manual_clock = manual_clock,
        .extra_toml = "[plugin.reservation]\nexpiry_interval_ms = 100\ncancel_guard = \"\"\n" +
                      extra_settings,
        .workers = workers};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    admitd_ = std::make_unique<AdmitdProcess>(ADMIT_ADMITD_BINARY,
                                              std::vector<std::string>{"--config", file.string()});
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

HttpResult ReservationEndToEnd::as(const std::string& user, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   std::map<std::string, std::string> headers,
                                   const std::string& role) {
    headers["Authorization"] = bearer(user, role);
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_request(port_, method, target, body, headers, 20000);
}

HttpResult ReservationEndToEnd::hold_seats(const std::string& user, const std::string& schedule,
                                           const std::vector<std::string>& seats,
                                           const std::string& idempotency_key) {
    boost::json::array ids;
    for (const auto& seat : seats) ids.emplace_back(seat);
    std::map<std::string, std::string> headers;
    if (!idempotency_key.empty()) headers["Idempotency-Key"] = idempotency_key;
    return as(
        user, "POST", "/api/v1/reservations",
        boost::json::serialize(boost::json::object{{"scheduleId", schedule}, {"seatIds", ids}}),
        headers);
}

HttpResult ReservationEndToEnd::hold_units(const std::string& user, const std::string& schedule,
                                           const std::string& grade, int quantity,
                                           const std::string& idempotency_key) {
    std::map<std::string, std::string> headers;
    if (!idempotency_key.empty()) headers["Idempotency-Key"] = idempotency_key;
    return as(user, "POST", "/api/v1/reservations",
              boost::json::serialize(boost::json::object{
                  {"scheduleId", schedule}, {"gradeId", grade}, {"quantity", quantity}}),
              headers);
}

std::vector<HttpResult> ReservationEndToEnd::race(int count,
                                                  const std::function<HttpResult(int)>& request) {
    std::vector<HttpResult> results(static_cast<std::size_t>(count));
    std::latch start(count);
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            results[static_cast<std::size_t>(i)] = request(i);
        });
    }
    for (auto& thread : threads) thread.join();
    return results;
}

int64_t ReservationEndToEnd::pg_scalar(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
}

std::string ReservationEndToEnd::redis_cli(const std::string& arguments) {
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

void ReservationEndToEnd::advance_clock(int seconds) {
    auto r =
        as("usr_admin", "POST", "/api/v1/admin/clock",
           boost::json::serialize(boost::json::object{{"advanceSeconds", seconds}}), {}, "admin");
    ASSERT_EQ(r.status, 200) << r.body;
}

std::string ReservationEndToEnd::code_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object() || !value.as_object().contains("code")) return "";
    return std::string(value.at("code").as_string());
}

boost::json::object ReservationEndToEnd::json_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
}

}  // namespace admit::testing
