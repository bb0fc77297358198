// A real admitd with test_auth, stub_product (the reservation tests' product.sale_context
// stand-in), reservation, ticket and ticket_test_hooks on isolated storage, plus helpers to buy
// tickets, act as customers, staff and admins, and look at PostgreSQL directly.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {

class TicketEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override { start_admitd(); }

    /// Starts (or restarts) admitd; `env` adds environment entries ("NAME=value").
    /// `ticket_toml`: more lines of the [plugin.ticket] section.
    void start_admitd(std::vector<std::string> plugins = {}, std::vector<std::string> env = {},
                      const std::string& ticket_toml = "");

    HttpResult as(const std::string& user, const std::string& role, const std::string& method,
                  const std::string& target, const std::string& body = "",
                  std::map<std::string, std::string> headers = {});
    HttpResult customer(const std::string& user, const std::string& method,
                        const std::string& target, const std::string& body = "") {
        return as(user, "customer", method, target, body);
    }
    HttpResult staff(const std::string& method, const std::string& target,
                     const std::string& body = "", const std::string& user = "usr_staff") {
        return as(user, "staff", method, target, body);
    }
    HttpResult admin(const std::string& method, const std::string& target,
                     const std::string& body = "") {
        return as("usr_admin", "admin", method, target, body);
    }

    /// Holds `seats` of `schedule` for `user`, confirms the reservation (the payment stand-in)
    /// and assigns the default gate staff member (usr_staff) to the schedule, as an admin does
    /// before the doors open. Returns the reservation id (the tickets follow: tickets_of()).
    std::string buy_seats(const std::string& user, const std::string& schedule,
                          const std::vector<std::string>& seats);
    std::string buy_units(const std::string& user, const std::string& schedule,
                          const std::string& grade, int quantity);
    /// PUT /api/v1/admin/schedules/{schedule}/staff/usr_staff (staff work only where assigned).
    void assign_gate_staff(const std::string& schedule);
    /// The user's tickets of a reservation, once `count` of them exist (fails the test on timeout).
    std::vector<boost::json::object> tickets_of(const std::string& user,
                                                const std::string& reservation, std::size_t count);
    /// GET /api/v1/tickets/{id} as its owner.
    boost::json::object ticket(const std::string& user, const std::string& id);

    /// The check-in answer for `code` (gate, nonce, scheduleId optional).
    HttpResult check_in(const std::string& code, const std::string& gate = "",
                        const std::string& schedule = "", const std::string& user = "usr_staff");
    /// A rotating code made from an owner's ticket JSON as the app makes it, shown at `at`.
    static std::string rotating_code_of(const boost::json::object& ticket, int64_t at_unix);
    static int64_t now_unix();

    /// Waits until `condition` holds (polling every 50 ms) or fails after `timeout`.
    static bool eventually(const std::function<bool()>& condition,
                           std::chrono::milliseconds timeout = std::chrono::seconds(15));

    int64_t pg_scalar(const std::string& sql);
    void pg_exec(const std::string& sql);

    static boost::json::object json_of(const HttpResult& result);
    static std::string code_of(const HttpResult& result);
    /// A schedule id unique to this test (the stub's shapes: sch_seats_<N>_<tag>,
    /// sch_ga_<N>_<tag>).
    static std::string unique_schedule(const std::string& shape);

    /// Set before start_admitd(): the host clock moves only by POST /api/v1/admin/clock.
    bool manual_clock_ = false;
    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing
