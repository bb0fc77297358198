// Check-in through a real admitd: each refusal with its reason, ALREADY_USED with when and where,
// 20 concurrent scans of one ticket admit exactly one (checked in PostgreSQL), nonce replays,
// offline batches with a conflict reported to admins, and staff limited to their schedules.
#include "codes/base45.hpp"
#include "ticket_e2e_fixture.hpp"

#include <admit/sdk/time_text.hpp>

#include <latch>
#include <thread>

namespace admit::testing {
namespace {

using TicketCheckin = TicketEndToEnd;

/// The code with one bit of its venue signature flipped (the last byte of a static code).
std::string forged(const std::string& code) {
    auto bytes = ticket::base45_decode(code);
    EXPECT_TRUE(bytes.ok());
    bytes->back() ^= 0x01;
    return ticket::base45_encode(*bytes);
}

TEST_F(TicketCheckin, AdmitsOnceThenAnswersAlreadyUsedWithWhenAndGate) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1"}), 1).at(0);
    auto first = check_in(rotating_code_of(t, now_unix()), "north-1", schedule);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(json_of(first)["status"], "USED");
    EXPECT_EQ(json_of(first)["gate"], "north-1");
    auto second = check_in(rotating_code_of(t, now_unix()), "south-2");
    EXPECT_EQ(second.status, 409);
    auto body = json_of(second);
    EXPECT_EQ(body["code"], "ALREADY_USED");
    EXPECT_EQ(body["gate"], "north-1");
    EXPECT_TRUE(body["usedAt"].is_string());
    EXPECT_TRUE(body.contains("traceId"));
    EXPECT_NE(body["message"].as_string().find("north-1"), std::string::npos);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.checked_in'"), 1);
}

TEST_F(TicketCheckin, AnAdmissionUpdatesTheTicketRowInPlace) {
    // HOT (heap-only) updates: no index names a column an admission changes
    // (006_hot_checkin.sql). An index on status, or a predicate reading it, makes every
    // admission write a new entry in each index of the table again.
    const auto schedule = unique_schedule("sch_seats_10");
    auto tickets = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1", "seat_2"}), 2);
    ASSERT_EQ(check_in(std::string(tickets[0]["code"].as_string())).status, 200);
    auto with_nonce = staff("POST", "/api/v1/checkin",
                            boost::json::serialize(boost::json::object{{"code", tickets[1]["code"]},
                                                                       {"nonce", "n-hot-1"}}));
    ASSERT_EQ(with_nonce.status, 200) << with_nonce.body;
    // This test's database saw no other update of ticket.tickets; its backends report their
    // statistics within PostgreSQL's idle flush interval (10 s).
    const std::string updates =
        "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relid = "
        "'ticket.tickets'::regclass";
    ASSERT_TRUE(eventually([&] { return pg_scalar(updates) >= 2; }, std::chrono::seconds(30)));
    EXPECT_EQ(pg_scalar(updates), 2);
    EXPECT_EQ(pg_scalar("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = "
                        "'ticket.tickets'::regclass"),
              2);
}

TEST_F(TicketCheckin, RefusesForgedWrongScheduleStaleWindowAndMalformedCodesWithTheirReason) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_2"}), 1).at(0);
    const std::string code(t["code"].as_string());

    auto signature = check_in(forged(code));
    EXPECT_EQ(signature.status, 422);
    EXPECT_EQ(code_of(signature), "INVALID_TICKET");
    EXPECT_EQ(json_of(signature)["reason"], "signature");

    auto wrong = check_in(code, "", unique_schedule("sch_seats_10"));
    EXPECT_EQ(wrong.status, 422);
    EXPECT_EQ(json_of(wrong)["reason"], "wrong_schedule");

    auto stale = check_in(rotating_code_of(t, now_unix() - 120));  // a screenshot
    EXPECT_EQ(stale.status, 422);
    EXPECT_EQ(json_of(stale)["reason"], "window");

    auto malformed = check_in("NOT A CODE");
    EXPECT_EQ(malformed.status, 422);
    EXPECT_EQ(json_of(malformed)["reason"], "malformed");

    // Nothing above changed the ticket: the real code is still admitted.
    EXPECT_EQ(check_in(rotating_code_of(t, now_unix())).status, 200);
}

TEST_F(TicketCheckin, RefusesBadBodiesAndCustomers) {
    EXPECT_EQ(staff("POST", "/api/v1/checkin", "{").status, 400);
    auto missing = staff("POST", "/api/v1/checkin", R"({"gate":"g"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(json_of(missing)["message"].as_string().find("code"), std::string::npos);
    EXPECT_EQ(
        staff("POST", "/api/v1/checkin", R"({"code":"X","gate":")" + std::string(65, 'g') + R"("})")
            .status,
        400);
    EXPECT_EQ(customer("usr_a", "POST", "/api/v1/checkin", R"({"code":"X"})").status, 403);
    EXPECT_EQ(staff("POST", "/api/v1/checkin/batch", R"({"scans":[]})").status, 400);
    auto bad_scan = staff("POST", "/api/v1/checkin/batch", R"({"scans":[{"nonce":"n"}]})");
    EXPECT_EQ(bad_scan.status, 400);
    EXPECT_NE(json_of(bad_scan)["message"].as_string().find("scans[0]"), std::string::npos);
    EXPECT_EQ(admin("GET", "/api/v1/schedules/sch_nowhere_1/gate-kit").status, 404);
    // Staff reach only the kits of schedules they are assigned to (an unknown one included).
    EXPECT_EQ(staff("GET", "/api/v1/schedules/sch_nowhere_1/gate-kit").status, 403);
}

TEST_F(TicketCheckin, TwentyConcurrentScansOfOneTicketAdmitExactlyOne) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_3"}), 1).at(0);
    const std::string code = rotating_code_of(t, now_unix());
    constexpr int kGates = 20;
    std::vector<HttpResult> results(kGates);
    std::latch start(kGates);
    std::vector<std::thread> gates;
    for (int i = 0; i < kGates; ++i) {
        gates.emplace_back([&, i] {
            start.arrive_and_wait();
            results[i] = check_in(code, "gate-" + std::to_string(i));
        });
    }
    for (auto& gate : gates) gate.join();
    int admitted = 0, already_used = 0;
    for (const auto& r : results) {
        if (r.status == 200) ++admitted;
        if (r.status == 409 && code_of(r) == "ALREADY_USED") ++already_used;
    }
    EXPECT_EQ(admitted, 1);
    EXPECT_EQ(already_used, kGates - 1);
    const std::string id(t["ticketId"].as_string());
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets WHERE id = '" + id +
                        "' AND status = 'USED' AND used_gate IS NOT NULL"),
              1);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.checked_in'"), 1);
}

TEST_F(TicketCheckin, ARepeatedNonceReplaysTheFirstAnswer) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_4"}), 1).at(0);
    const std::string body = boost::json::serialize(
        boost::json::object{{"code", t["code"]}, {"gate", "east"}, {"nonce", "nonce-1"}});
    auto first = staff("POST", "/api/v1/checkin", body);
    ASSERT_EQ(first.status, 200) << first.body;
    auto replay = staff("POST", "/api/v1/checkin", body);
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(json_of(replay)["ticketId"], t["ticketId"]);
    auto other_nonce = staff(
        "POST", "/api/v1/checkin",
        boost::json::serialize(boost::json::object{{"code", t["code"]}, {"nonce", "nonce-2"}}));
    EXPECT_EQ(other_nonce.status, 409);
}

TEST_F(TicketCheckin, OfflineBatchDeduplicatesByNonceAndReportsADoubleAdmission) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto tickets = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_5", "seat_6"}), 2);
    const int64_t at = now_unix() - 30;
    auto scan = [&](const boost::json::object& t, const std::string& nonce, const std::string& gate,
                    bool admitted) {
        return boost::json::object{{"nonce", nonce},
                                   {"code", rotating_code_of(t, at)},
                                   {"at", sdk::format_rfc3339(at * 1'000'000)},
                                   {"gate", gate},
                                   {"admitted", admitted},
                                   {"ticketId", t.at("ticketId")}};
    };
    // Ticket 0 admitted offline at two gates; ticket 1 admitted once; one refused scan.
    boost::json::array scans{
        scan(tickets[0], "n-1", "west-1", true), scan(tickets[0], "n-2", "west-2", true),
        scan(tickets[1], "n-3", "west-1", true), scan(tickets[1], "n-4", "west-2", false)};
    auto r = staff("POST", "/api/v1/checkin/batch",
                   boost::json::serialize(boost::json::object{{"scans", scans}}));
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = json_of(r);
    EXPECT_EQ(body["admitted"], 2);
    EXPECT_EQ(body["conflicts"], 1);
    EXPECT_EQ(body["refused"], 1);
    auto conflict = body["results"].as_array()[1].as_object();
    EXPECT_EQ(conflict["outcome"], "CONFLICT");
    EXPECT_EQ(conflict["conflict"].as_object()["kind"], "DOUBLE_ADMISSION");
    EXPECT_EQ(conflict["conflict"].as_object()["firstGate"], "west-1");

    // The same upload again (a gate retrying): every scan is a duplicate, nothing changes.
    auto again = json_of(staff("POST", "/api/v1/checkin/batch",
                               boost::json::serialize(boost::json::object{{"scans", scans}})));
    EXPECT_EQ(again["duplicates"], 4);
    EXPECT_EQ(again["admitted"], 0);

    // Reported to admins: the list and the event.
    auto list = json_of(admin("GET", "/api/v1/admin/checkin/conflicts?scheduleId=" + schedule));
    ASSERT_EQ(list["items"].as_array().size(), 1u);
    auto item = list["items"].as_array()[0].as_object();
    EXPECT_EQ(item["ticketId"], tickets[0]["ticketId"]);
    EXPECT_EQ(item["gate"], "west-2");
    EXPECT_EQ(item["firstGate"], "west-1");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'ticket.checkin_conflict'"),
              1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets WHERE schedule_id = '" + schedule +
                        "' AND status = 'USED'"),
              2);
    EXPECT_EQ(staff("GET", "/api/v1/admin/checkin/conflicts").status, 403);
}

TEST_F(TicketCheckin, StaffWithoutAnyAssignmentMayNotCheckInOrFetchAKitAdminsMay) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto tickets = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_8", "seat_9"}), 2);
    const std::string code(tickets[0]["code"].as_string());
    auto refused = check_in(code, "", "", "usr_nowhere");
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(code_of(refused), "FORBIDDEN");
    auto kit = staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit", "", "usr_nowhere");
    EXPECT_EQ(kit.status, 403) << kit.body;
    // An offline upload by them is recorded as refused (wrong_schedule), nothing admitted.
    const int64_t at = now_unix();
    boost::json::array scans{boost::json::object{{"nonce", "nowhere-1"},
                                                 {"code", code},
                                                 {"at", sdk::format_rfc3339(at * 1'000'000)},
                                                 {"admitted", true}}};
    auto upload =
        staff("POST", "/api/v1/checkin/batch",
              boost::json::serialize(boost::json::object{{"scans", scans}}), "usr_nowhere");
    ASSERT_EQ(upload.status, 200) << upload.body;
    EXPECT_EQ(json_of(upload)["admitted"], 0);
    EXPECT_EQ(json_of(upload)["results"].as_array()[0].as_object()["reason"], "wrong_schedule");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets WHERE schedule_id = '" + schedule +
                        "' AND status = 'USED'"),
              0);
    // Admins are never limited: the kit and the check-in (of the other ticket) work for them.
    EXPECT_EQ(admin("GET", "/api/v1/schedules/" + schedule + "/gate-kit").status, 200);
    auto by_admin =
        admin("POST", "/api/v1/checkin",
              boost::json::serialize(boost::json::object{{"code", tickets[1]["code"]}}));
    EXPECT_EQ(by_admin.status, 200) << by_admin.body;
}

TEST_F(TicketCheckin, AVenueMayLetStaffWithoutAssignmentsWorkAnywhere) {
    start_admitd({}, {}, "staff_scope = \"unassigned_anywhere\"\n");
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_8"}), 1).at(0);
    EXPECT_EQ(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit", "", "usr_free").status,
              200);
    EXPECT_EQ(check_in(std::string(t["code"].as_string()), "", "", "usr_free").status, 200);
    // Once assigned somewhere, only there.
    const auto elsewhere = unique_schedule("sch_seats_10");
    ASSERT_EQ(admin("PUT", "/api/v1/admin/schedules/" + elsewhere + "/staff/usr_free").status, 200);
    EXPECT_EQ(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit", "", "usr_free").status,
              403);
}

TEST_F(TicketCheckin, AnUnknownStaffScopeStopsTheStart) {
    admitd_.reset();
    TestVenue venue{.plugins = {"test_auth", "ticket"},
                    .plugin_dir = TICKET_TEST_PLUGIN_DIR,
                    .extra_toml = "[plugin.ticket]\nstaff_scope = \"everyone\"\n"};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    AdmitdProcess broken(ADMIT_ADMITD_BINARY, {"--config", file.string()});
    EXPECT_FALSE(broken.wait_until_serving().has_value());
    EXPECT_NE(broken.log().find("staff_scope"), std::string::npos) << broken.log();
}

TEST_F(TicketCheckin, StaffAssignmentsAreAuditedAsEventsOncePerChange) {
    const auto schedule = unique_schedule("sch_seats_10");
    const std::string path = "/api/v1/admin/schedules/" + schedule + "/staff/usr_gate_c";
    const auto count = [&](const std::string& topic) {
        return pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = '" + topic +
                         "' AND payload::jsonb->>'scheduleId' = '" + schedule +
                         "' AND payload::jsonb->>'userId' = 'usr_gate_c' AND "
                         "payload::jsonb->>'actor' = 'usr_admin'");
    };
    ASSERT_EQ(admin("PUT", path).status, 200);
    ASSERT_EQ(admin("PUT", path).status, 200);  // already assigned: no change, no event
    EXPECT_EQ(count("ticket.staff_assigned"), 1);
    ASSERT_EQ(admin("DELETE", path).status, 200);
    EXPECT_EQ(admin("DELETE", path).status, 404);
    EXPECT_EQ(count("ticket.staff_unassigned"), 1);
}

TEST_F(TicketCheckin, StaffAssignedToOtherSchedulesMayNotCheckInHere) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_7"}), 1).at(0);
    const auto elsewhere = unique_schedule("sch_seats_10");
    ASSERT_EQ(admin("PUT", "/api/v1/admin/schedules/" + elsewhere + "/staff/usr_gate_b").status,
              200);
    auto listed = json_of(admin("GET", "/api/v1/admin/schedules/" + elsewhere + "/staff"));
    EXPECT_EQ(listed["staff"].as_array().size(), 1u);
    auto refused = check_in(std::string(t["code"].as_string()), "", "", "usr_gate_b");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(code_of(refused), "FORBIDDEN");
    EXPECT_EQ(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit", "", "usr_gate_b").status,
              403);
    // Assigned here too: admitted.
    ASSERT_EQ(admin("PUT", "/api/v1/admin/schedules/" + schedule + "/staff/usr_gate_b").status,
              200);
    EXPECT_EQ(check_in(std::string(t["code"].as_string()), "", "", "usr_gate_b").status, 200);
    ASSERT_EQ(admin("DELETE", "/api/v1/admin/schedules/" + schedule + "/staff/usr_gate_b").status,
              200);
    EXPECT_EQ(admin("DELETE", "/api/v1/admin/schedules/" + schedule + "/staff/usr_gate_b").status,
              404);
}

}  // namespace
}  // namespace admit::testing

namespace admit::testing {
namespace {

TEST_F(TicketCheckin, AVenueThatForbidsStaticCodesAdmitsOnlyRotatingOnes) {
    start_admitd({}, {}, "static_codes_allowed = false\n");
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_8"}), 1).at(0);
    auto printed = check_in(std::string(t["code"].as_string()));
    EXPECT_EQ(printed.status, 422);
    EXPECT_EQ(json_of(printed)["reason"], "window");
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["schedule"].as_object()["staticCodesAllowed"], false);
    EXPECT_EQ(check_in(rotating_code_of(t, now_unix())).status, 200);
}

TEST_F(TicketCheckin, EveryOtherBadInputIsRefusedWithItsCode) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_9"}), 1).at(0);
    const std::string id(t["ticketId"].as_string());
    // The 256th reissue.
    pg_exec("UPDATE ticket.tickets SET issue = 255 WHERE id = '" + id + "'");
    auto limit = customer("usr_a", "POST", "/api/v1/tickets/" + id + "/reissue");
    EXPECT_EQ(limit.status, 409);
    EXPECT_EQ(code_of(limit), "REISSUE_LIMIT");
    // Batches: too many scans, a bad time, an oversized nonce.
    boost::json::array many;
    for (int i = 0; i < 501; ++i)
        many.push_back({{"nonce", "n" + std::to_string(i)},
                        {"code", "X"},
                        {"at", "2026-01-01T00:00:00Z"},
                        {"admitted", false}});
    EXPECT_EQ(staff("POST", "/api/v1/checkin/batch",
                    boost::json::serialize(boost::json::object{{"scans", many}}))
                  .status,
              400);
    auto bad_at = staff("POST", "/api/v1/checkin/batch",
                        R"({"scans":[{"nonce":"n","code":"X","at":"yesterday","admitted":true}]})");
    EXPECT_EQ(bad_at.status, 400);
    EXPECT_NE(json_of(bad_at)["message"].as_string().find("'at'"), std::string::npos);
    EXPECT_EQ(staff("POST", "/api/v1/checkin/batch",
                    R"({"scans":[{"nonce":")" + std::string(65, 'n') +
                        R"(","code":"X","at":"2026-01-01T00:00:00Z","admitted":true}]})")
                  .status,
              400);
    EXPECT_EQ(staff("POST", "/api/v1/checkin/batch", R"({"scans":{}})").status, 400);
    // Lists: cursors and ids too long.
    const std::string long_text(101, 'x');
    EXPECT_EQ(customer("usr_a", "GET", "/api/v1/tickets?cursor=" + long_text).status, 400);
    EXPECT_EQ(admin("GET", "/api/v1/admin/checkin/conflicts?cursor=" + long_text).status, 400);
    EXPECT_EQ(admin("GET", "/api/v1/schedules/" + schedule + "/tickets?cursor=" + long_text).status,
              400);
    EXPECT_EQ(admin("PUT", "/api/v1/admin/schedules/" + schedule + "/staff/" + long_text).status,
              400);
    EXPECT_EQ(
        admin("GET", "/api/v1/schedules/" + unique_schedule("sch_seats_10") + "/tickets").status,
        404);
    EXPECT_EQ(staff("PUT", "/api/v1/admin/schedules/" + schedule + "/staff/usr_x").status, 403);
}

}  // namespace
}  // namespace admit::testing
