// Re-entry through a real admitd, per the checkin policy: the repository's policy (one entry,
// exit scans refused), and a test override (policies/checkin_modes.lua) whose rule follows the
// schedule id: AFTER_EXIT (exit, then enter again), ONCE_PER_DAY (a manual clock moves a venue
// day on), static codes refused. Each entry admits once among concurrent scans (checked in
// PostgreSQL); entries and exits are recorded with their events; offline uploads follow the rule.
#include "codes/base45.hpp"
#include "ticket_e2e_fixture.hpp"

#include <admit/sdk/time_text.hpp>

#include <latch>
#include <thread>

namespace admit::testing {
namespace {

class TicketReentry : public TicketEndToEnd {
  protected:
    /// Restarts admitd with the test override of the checkin policy.
    void with_test_policy(bool manual_clock = false) {
        manual_clock_ = manual_clock;
        start_admitd({}, {},
                     "[policies.overrides]\ncheckin = \"" ADMIT_TEST_SOURCE_DIR
                     "/tests/plugins/ticket/policies/checkin_modes.lua\"\n");
    }
    HttpResult exit_scan(const std::string& code, const std::string& gate = "",
                         const std::string& user = "usr_staff", const std::string& schedule = "") {
        boost::json::object body{{"code", code}};
        if (!gate.empty()) body["gate"] = gate;
        if (!schedule.empty()) body["scheduleId"] = schedule;
        return staff("POST", "/api/v1/checkin/exit", boost::json::serialize(body), user);
    }
    int64_t count(const std::string& sql) { return pg_scalar(sql); }
    int64_t events(const std::string& topic) {
        return count("SELECT count(*) FROM admit.event_outbox WHERE topic = '" + topic + "'");
    }
    int64_t entries(const std::string& ticket, const std::string& kind) {
        return count("SELECT count(*) FROM ticket.entries WHERE ticket_id = '" + ticket +
                     "' AND kind = '" + kind + "'");
    }
    /// `gates` concurrent entry scans of `code`: how many were admitted (the others must be
    /// ALREADY_USED).
    int race(const std::string& code, int gates) {
        std::vector<HttpResult> results(static_cast<std::size_t>(gates));
        std::latch start(gates);
        std::vector<std::thread> threads;
        for (int i = 0; i < gates; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                results[static_cast<std::size_t>(i)] = check_in(code, "gate-" + std::to_string(i));
            });
        }
        for (auto& t : threads) t.join();
        int admitted = 0;
        for (const auto& r : results) {
            if (r.status == 200)
                ++admitted;
            else
                EXPECT_EQ(code_of(r), "ALREADY_USED") << r.body;
        }
        return admitted;
    }
    void advance_clock(int64_t seconds) {
        auto moved = admin("POST", "/api/v1/admin/clock",
                           "{\"advanceSeconds\":" + std::to_string(seconds) + "}");
        ASSERT_EQ(moved.status, 200) << moved.body;
    }
};

TEST_F(TicketReentry, TheDefaultRuleAdmitsOnceAndRefusesExitScans) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1"}), 1).at(0);
    const std::string code(t["code"].as_string());
    auto first = check_in(code, "north-1");
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(json_of(first)["inside"], true);
    EXPECT_EQ(json_of(first)["entries"], 1);
    auto again = check_in(code, "north-2");
    EXPECT_EQ(again.status, 409);
    EXPECT_FALSE(json_of(again).contains("reentry"));  // the answer of before
    auto out = exit_scan(code, "north-1");
    EXPECT_EQ(out.status, 409) << out.body;
    EXPECT_EQ(code_of(out), "INVALID_STATE");
    EXPECT_EQ(json_of(out)["reentry"], "NONE");
    const std::string id(t["ticketId"].as_string());
    EXPECT_EQ(entries(id, "ENTRY"), 1);
    EXPECT_EQ(entries(id, "EXIT"), 0);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["schedule"].as_object()["reentry"], "NONE");
}

TEST_F(TicketReentry, AfterExitAdmitsAgainOnlyAfterAnExitScan) {
    with_test_policy();
    const auto schedule = unique_schedule("sch_seats_10_door");
    auto tickets = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1", "seat_2"}), 2);
    const std::string code = rotating_code_of(tickets[0], now_unix());
    const std::string id(tickets[0]["ticketId"].as_string());

    ASSERT_EQ(check_in(code, "north-1").status, 200);
    auto inside = check_in(code, "north-2");
    EXPECT_EQ(inside.status, 409);
    EXPECT_EQ(json_of(inside)["reentry"], "AFTER_EXIT");
    EXPECT_EQ(json_of(inside)["inside"], true);
    EXPECT_EQ(json_of(inside)["gate"], "north-1");
    EXPECT_NE(json_of(inside)["message"].as_string().find("exit"), std::string::npos);

    auto out = exit_scan(code, "exit-1");
    ASSERT_EQ(out.status, 200) << out.body;
    EXPECT_EQ(json_of(out)["inside"], false);
    EXPECT_EQ(json_of(out)["status"], "USED");
    auto out_again = exit_scan(code, "exit-1");
    EXPECT_EQ(out_again.status, 409);
    EXPECT_EQ(code_of(out_again), "NOT_INSIDE");

    auto back = check_in(code, "south-1");
    ASSERT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(json_of(back)["entries"], 2);
    EXPECT_EQ(json_of(back)["gate"], "south-1");
    EXPECT_EQ(entries(id, "ENTRY"), 2);
    EXPECT_EQ(entries(id, "EXIT"), 1);
    EXPECT_EQ(events("ticket.checked_in"), 2);
    EXPECT_EQ(events("ticket.checked_out"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.checked_in' "
                    "AND payload::jsonb->>'entry' = '2' AND payload::jsonb->>'reentry' = "
                    "'AFTER_EXIT'"),
              1);

    // The other ticket never entered: its exit is refused, and nothing is recorded.
    auto never = exit_scan(std::string(tickets[1]["code"].as_string()));
    EXPECT_EQ(never.status, 409);
    EXPECT_EQ(code_of(never), "NOT_INSIDE");
    EXPECT_NE(json_of(never)["message"].as_string().find("not entered"), std::string::npos);
    EXPECT_EQ(entries(std::string(tickets[1]["ticketId"].as_string()), "EXIT"), 0);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["schedule"].as_object()["reentry"], "AFTER_EXIT");
    EXPECT_EQ(kit["schedule"].as_object()["utcOffsetMinutes"], 540);
}

TEST_F(TicketReentry, ExitScansRefuseBadCodesOtherSchedulesUnassignedStaffAndBadBodies) {
    with_test_policy();
    const auto schedule = unique_schedule("sch_seats_10_door");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_3"}), 1).at(0);
    const std::string code(t["code"].as_string());
    ASSERT_EQ(check_in(code).status, 200);
    auto bytes = ticket::base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    bytes->back() ^= 0x01;
    auto forged = exit_scan(ticket::base45_encode(*bytes));
    EXPECT_EQ(forged.status, 422);
    EXPECT_EQ(json_of(forged)["reason"], "signature");
    auto stale = exit_scan(rotating_code_of(t, now_unix() - 300));
    EXPECT_EQ(json_of(stale)["reason"], "window");
    auto elsewhere = exit_scan(code, "", "usr_staff", unique_schedule("sch_seats_10_door"));
    EXPECT_EQ(json_of(elsewhere)["reason"], "wrong_schedule");
    auto unassigned = exit_scan(code, "", "usr_nowhere");
    EXPECT_EQ(unassigned.status, 403);
    EXPECT_EQ(code_of(unassigned), "FORBIDDEN");
    EXPECT_EQ(staff("POST", "/api/v1/checkin/exit", "{").status, 400);
    EXPECT_EQ(staff("POST", "/api/v1/checkin/exit", R"({"gate":"g"})").status, 400);
    EXPECT_EQ(staff("POST", "/api/v1/checkin/exit",
                    R"({"code":"X","gate":")" + std::string(65, 'g') + R"("})")
                  .status,
              400);
    EXPECT_EQ(customer("usr_a", "POST", "/api/v1/checkin/exit", R"({"code":"X"})").status, 403);
    // Still inside after all of that; a cancelled ticket's exit is refused with its reason.
    EXPECT_EQ(check_in(code).status, 409);
    pg_exec("UPDATE ticket.tickets SET status = 'CANCELLED', status_reason = 'test' WHERE id = '" +
            std::string(t["ticketId"].as_string()) + "'");
    auto cancelled = exit_scan(code);
    EXPECT_EQ(cancelled.status, 422);
    EXPECT_EQ(json_of(cancelled)["reason"], "cancelled");
}

TEST_F(TicketReentry, ConcurrentScansAdmitExactlyOnceForEachEntry) {
    with_test_policy();
    const auto schedule = unique_schedule("sch_seats_10_door");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_4"}), 1).at(0);
    const std::string code = rotating_code_of(t, now_unix());
    const std::string id(t["ticketId"].as_string());
    EXPECT_EQ(race(code, 20), 1);
    ASSERT_EQ(exit_scan(code).status, 200);
    EXPECT_EQ(race(code, 20), 1);
    EXPECT_EQ(entries(id, "ENTRY"), 2);
    EXPECT_EQ(count("SELECT entries FROM ticket.tickets WHERE id = '" + id + "'"), 2);
    EXPECT_EQ(events("ticket.checked_in"), 2);
}

TEST_F(TicketReentry, OncePerDayAdmitsOnceEachVenueDay) {
    with_test_policy(/*manual_clock=*/true);
    const auto schedule = unique_schedule("sch_seats_10_daily");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_5"}), 1).at(0);
    const std::string code(t["code"].as_string());  // static: the manual clock moves on
    const std::string id(t["ticketId"].as_string());
    EXPECT_EQ(race(code, 10), 1);
    auto today = check_in(code, "north-1");
    EXPECT_EQ(today.status, 409);
    EXPECT_EQ(json_of(today)["reentry"], "ONCE_PER_DAY");
    EXPECT_NE(json_of(today)["message"].as_string().find("tomorrow"), std::string::npos);
    EXPECT_EQ(code_of(exit_scan(code)), "INVALID_STATE");  // exits mean nothing here

    advance_clock(86400);
    EXPECT_EQ(race(code, 10), 1);
    EXPECT_EQ(count("SELECT entries FROM ticket.tickets WHERE id = '" + id + "'"), 2);
    // The manual clock stands still between scans: the entries are exactly one day apart.
    EXPECT_EQ(count("SELECT extract(epoch FROM max(at) - min(at))::bigint FROM ticket.entries "
                    "WHERE ticket_id = '" +
                    id + "'"),
              86400);
    EXPECT_EQ(entries(id, "ENTRY"), 2);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["schedule"].as_object()["reentry"], "ONCE_PER_DAY");
    EXPECT_EQ(kit["schedule"].as_object()["dayStartsAtHour"], 4);
}

TEST_F(TicketReentry, OfflineUploadsFollowTheRuleWithTheGatesClock) {
    with_test_policy();
    const auto schedule = unique_schedule("sch_seats_10_daily");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_6"}), 1).at(0);
    const std::string code(t["code"].as_string());
    const int64_t now = now_unix();
    auto scan = [&](const std::string& nonce, int64_t at) {
        return boost::json::object{{"nonce", nonce},
                                   {"code", code},
                                   {"at", sdk::format_rfc3339(at * 1'000'000)},
                                   {"gate", "west-1"},
                                   {"admitted", true}};
    };
    // The policy's venue day: UTC+9, starting at 04:00. `base` is an hour into the venue day
    // two days ago, so the first two scans share a day and the third is on the next one.
    const auto day_start = [](int64_t t) {
        return (t + 540 * 60 - 4 * 3600) / 86400 * 86400 - 540 * 60 + 4 * 3600;
    };
    const int64_t base = day_start(now - 2 * 86400) + 3600;
    // Two admissions the same day: the second is a double admission; one a day later is not.
    boost::json::array scans{scan("d-1", base), scan("d-2", base + 60), scan("d-3", base + 86400)};
    auto r = staff("POST", "/api/v1/checkin/batch",
                   boost::json::serialize(boost::json::object{{"scans", scans}}));
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = json_of(r);
    EXPECT_EQ(body["admitted"], 2);
    EXPECT_EQ(body["conflicts"], 1);
    EXPECT_EQ(body["results"].as_array()[1].as_object()["conflict"].as_object()["kind"],
              "DOUBLE_ADMISSION");
    const std::string id(t["ticketId"].as_string());
    EXPECT_EQ(
        count("SELECT count(*) FROM ticket.entries WHERE ticket_id = '" + id + "' AND offline"), 2);
    // Online today: a third day, admitted.
    EXPECT_EQ(check_in(code).status, 200);
}

TEST_F(TicketReentry, APolicyMayRefuseStaticCodes) {
    with_test_policy();
    const auto schedule = unique_schedule("sch_seats_10_noprint");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_7"}), 1).at(0);
    auto printed = check_in(std::string(t["code"].as_string()));
    EXPECT_EQ(printed.status, 422);
    EXPECT_EQ(json_of(printed)["reason"], "window");
    EXPECT_EQ(check_in(rotating_code_of(t, now_unix())).status, 200);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["schedule"].as_object()["staticCodesAllowed"], false);
}

}  // namespace
}  // namespace admit::testing
