#include "ticket_e2e_fixture.hpp"

#include "codes/base45.hpp"
#include "codes/base64url.hpp"
#include "codes/init.hpp"
#include "codes/rotating_code.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <thread>

namespace admit::testing {

void TicketEndToEnd::start_admitd(std::vector<std::string> plugins, std::vector<std::string> env,
                                  const std::string& ticket_toml) {
    admitd_.reset();
    ASSERT_TRUE(ticket::init_ticket_codes().ok());
    if (plugins.empty())
        plugins = {"test_auth", "product", "reservation", "ticket", "ticket_test_hooks"};
    // The stub's schedules start in 2099: doors open "long before" so codes verify today.
    const bool with_ticket = std::find(plugins.begin(), plugins.end(), "ticket") != plugins.end();
    TestVenue venue{.plugins = plugins,
                    .plugin_dir = TICKET_TEST_PLUGIN_DIR,
                    .manual_clock = manual_clock_,
                    .extra_toml = with_ticket ? "[plugin.ticket]\ndoors_open_seconds = 4000000000\n"
                                                "expiry_interval_ms = 200\nkit_cache_ms = 0\n" +
                                                    ticket_toml
                                              : std::string()};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    admitd_ = std::make_unique<AdmitdProcess>(
        ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()}, std::move(env));
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

HttpResult TicketEndToEnd::as(const std::string& user, const std::string& role,
                              const std::string& method, const std::string& target,
                              const std::string& body, std::map<std::string, std::string> headers) {
    headers["Authorization"] = "Bearer test:" + role + ":" + user;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_request(port_, method, target, body, headers, 20000);
}

std::string TicketEndToEnd::buy_seats(const std::string& user, const std::string& schedule,
                                      const std::vector<std::string>& seats) {
    boost::json::array ids;
    for (const auto& seat : seats) ids.emplace_back(seat);
    auto held = customer(
        user, "POST", "/api/v1/reservations",
        boost::json::serialize(boost::json::object{{"scheduleId", schedule}, {"seatIds", ids}}));
    EXPECT_EQ(held.status, 201) << held.body;
    const std::string id(json_of(held)["reservationId"].as_string());
    auto confirmed = admin("POST", "/api/v1/test/reservations/" + id + "/confirm");
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    assign_gate_staff(schedule);
    return id;
}

std::string TicketEndToEnd::buy_units(const std::string& user, const std::string& schedule,
                                      const std::string& grade, int quantity) {
    auto held =
        customer(user, "POST", "/api/v1/reservations",
                 boost::json::serialize(boost::json::object{
                     {"scheduleId", schedule}, {"gradeId", grade}, {"quantity", quantity}}));
    EXPECT_EQ(held.status, 201) << held.body;
    const std::string id(json_of(held)["reservationId"].as_string());
    auto confirmed = admin("POST", "/api/v1/test/reservations/" + id + "/confirm");
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    assign_gate_staff(schedule);
    return id;
}

std::vector<boost::json::object> TicketEndToEnd::tickets_of(const std::string& user,
                                                            const std::string& reservation,
                                                            std::size_t count) {
    std::vector<boost::json::object> found;
    const bool complete = eventually([&] {
        found.clear();
        auto list = customer(user, "GET", "/api/v1/tickets?limit=200");
        if (list.status != 200) return false;
        const auto body = json_of(list);
        for (const auto& item : body.at("items").as_array()) {
            if (item.at("reservationId").as_string() == reservation)
                found.push_back(item.as_object());
        }
        return found.size() >= count;
    });
    EXPECT_TRUE(complete) << "expected " << count << " tickets of " << reservation << ", found "
                          << found.size() << "\n"
                          << admitd_->log();
    return found;
}

boost::json::object TicketEndToEnd::ticket(const std::string& user, const std::string& id) {
    auto r = customer(user, "GET", "/api/v1/tickets/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
}

void TicketEndToEnd::assign_gate_staff(const std::string& schedule) {
    auto assigned = admin("PUT", "/api/v1/admin/schedules/" + schedule + "/staff/usr_staff");
    EXPECT_EQ(assigned.status, 200) << assigned.body;
}

HttpResult TicketEndToEnd::check_in(const std::string& code, const std::string& gate,
                                    const std::string& schedule, const std::string& user) {
    boost::json::object body{{"code", code}};
    if (!gate.empty()) body["gate"] = gate;
    if (!schedule.empty()) body["scheduleId"] = schedule;
    return staff("POST", "/api/v1/checkin", boost::json::serialize(body), user);
}

std::string TicketEndToEnd::rotating_code_of(const boost::json::object& ticket, int64_t at_unix) {
    const auto& rotating = ticket.at("rotating").as_object();
    auto seed = ticket::base64url_decode(rotating.at("ticketKey").as_string());
    EXPECT_TRUE(seed.has_value());
    auto pair = ticket::TicketKeyPair::from_seed(*seed);
    EXPECT_TRUE(pair.ok());
    auto signed_ticket = ticket::base45_decode(rotating.at("signedTicket").as_string());
    EXPECT_TRUE(signed_ticket.ok());
    auto code = pair->rotating_code(*signed_ticket, at_unix);
    EXPECT_TRUE(code.ok()) << code.error().message;
    return ticket::base45_encode(*code);
}

int64_t TicketEndToEnd::now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool TicketEndToEnd::eventually(const std::function<bool()>& condition,
                                std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
}

int64_t TicketEndToEnd::pg_scalar(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
}

void TicketEndToEnd::pg_exec(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

boost::json::object TicketEndToEnd::json_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
}

std::string TicketEndToEnd::code_of(const HttpResult& result) {
    auto json = json_of(result);
    const auto* code = json.if_contains("code");
    return code && code->is_string() ? std::string(code->as_string()) : "";
}

std::string TicketEndToEnd::unique_schedule(const std::string& shape) {
    static std::atomic<int> counter{0};
    return shape + "_t" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
}

}  // namespace admit::testing
