// The ticket lifecycle through a real admitd: issue on reservation.confirmed (once, also under
// redelivery), the owner's views and QR images, visibility to others, reissue, cancellation by
// reservation and by product, expiry, the admin/seller view and the JWKS.
#include "ticket_e2e_fixture.hpp"

namespace admit::testing {
namespace {

using TicketLifecycle = TicketEndToEnd;

TEST_F(TicketLifecycle, ConfirmedReservationIssuesOneTicketPerSeatOnceUnderRedelivery) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_1", "seat_3"});
    auto tickets = tickets_of("usr_a", reservation, 2);
    ASSERT_EQ(tickets.size(), 2u);
    std::set<std::string> labels;
    for (auto& t : tickets) {
        EXPECT_EQ(t["status"], "ISSUED");
        EXPECT_EQ(t["scheduleId"].as_string(), schedule);
        labels.insert(std::string(t["seat"].as_object()["label"].as_string()));
        EXPECT_FALSE(t["code"].as_string().empty());
        EXPECT_FALSE(t["rotating"].as_object()["ticketKey"].as_string().empty());
    }
    EXPECT_EQ(labels, (std::set<std::string>{"A-1", "A-3"}));
    // Each ticket keeps the policy revisions that decided its reservation (fees, expiry, ...).
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets t JOIN reservation.reservations r "
                        "ON r.id = t.reservation_id WHERE t.reservation_id = '" +
                        reservation +
                        "' AND t.policy_revisions ? 'fees' AND t.policy_revisions ? 'expiry' "
                        "AND t.policy_revisions = r.policy_revisions"),
              2);

    // Redeliver the same business event (a new event id, as a replayed outbox would).
    boost::json::object payload{{"reservationId", reservation},
                                {"scheduleId", schedule},
                                {"userId", "usr_a"},
                                {"seatIds", boost::json::array{"seat_1", "seat_3"}},
                                {"quantity", 2}};
    auto r =
        admin("POST", "/api/v1/test/publish",
              boost::json::serialize(boost::json::object{
                  {"topic", "reservation.confirmed"}, {"key", schedule}, {"payload", payload}}));
    ASSERT_EQ(r.status, 204) << r.body;
    ASSERT_TRUE(eventually([&] {
        return pg_scalar(
                   "SELECT count(*) FROM admit.event_handled WHERE subscriber LIKE "
                   "'%issue_tickets'") == 2;
    })) << admitd_->log();
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets WHERE reservation_id = '" +
                        reservation + "'"),
              2);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.issued'"),
              2);
}

TEST_F(TicketLifecycle, GeneralAdmissionIssuesOneTicketPerUnitWithTheGrade) {
    const auto schedule = unique_schedule("sch_ga_50");
    const auto reservation = buy_units("usr_a", schedule, "grd_ga", 3);
    auto tickets = tickets_of("usr_a", reservation, 3);
    ASSERT_EQ(tickets.size(), 3u);
    for (auto& t : tickets) {
        EXPECT_TRUE(t["seat"].is_null());
        EXPECT_EQ(t["grade"].as_object()["name"], "Standing");
    }
    EXPECT_EQ(pg_scalar("SELECT count(DISTINCT unit_key) FROM ticket.tickets WHERE "
                        "reservation_id = '" +
                        reservation + "'"),
              3);
}

TEST_F(TicketLifecycle, AnotherCustomersTicketIsNotVisible) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_2"});
    const auto id = std::string(tickets_of("usr_a", reservation, 1).at(0)["ticketId"].as_string());

    for (const std::string path : {"", "/qr.svg", "/qr.png"}) {
        auto r = customer("usr_b", "GET", "/api/v1/tickets/" + id + path);
        EXPECT_EQ(r.status, 404) << path;
        EXPECT_EQ(code_of(r), "NOT_FOUND") << path;
    }
    auto reissue = customer("usr_b", "POST", "/api/v1/tickets/" + id + "/reissue");
    EXPECT_EQ(reissue.status, 404);
    auto list = customer("usr_b", "GET", "/api/v1/tickets");
    ASSERT_EQ(list.status, 200);
    EXPECT_TRUE(json_of(list)["items"].as_array().empty());

    // The owner gets both images; an admin sees the ticket without its codes or key.
    auto svg = customer("usr_a", "GET", "/api/v1/tickets/" + id + "/qr.svg");
    ASSERT_EQ(svg.status, 200);
    EXPECT_EQ(svg.headers["content-type"], "image/svg+xml");
    EXPECT_NE(svg.body.find("<svg"), std::string::npos);
    auto png = customer("usr_a", "GET", "/api/v1/tickets/" + id + "/qr.png");
    ASSERT_EQ(png.status, 200);
    EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
    auto seen = json_of(admin("GET", "/api/v1/tickets/" + id));
    EXPECT_EQ(seen["ticketId"].as_string(), id);
    EXPECT_FALSE(seen.contains("code"));
    EXPECT_FALSE(seen.contains("rotating"));
}

TEST_F(TicketLifecycle, ListsPageWithACursorAndRefuseABadLimit) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_4", "seat_5", "seat_6"});
    tickets_of("usr_a", reservation, 3);
    auto first = json_of(customer("usr_a", "GET", "/api/v1/tickets?limit=2"));
    ASSERT_EQ(first["items"].as_array().size(), 2u);
    ASSERT_TRUE(first["nextCursor"].is_string());
    auto second = json_of(
        customer("usr_a", "GET",
                 "/api/v1/tickets?limit=2&cursor=" + std::string(first["nextCursor"].as_string())));
    EXPECT_EQ(second["items"].as_array().size(), 1u);
    EXPECT_TRUE(second["nextCursor"].is_null());
    auto bad = customer("usr_a", "GET", "/api/v1/tickets?limit=0");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(code_of(bad), "INVALID_REQUEST");
}

TEST_F(TicketLifecycle, ReissueRevokesTheOldCodes) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_1"});
    auto before = tickets_of("usr_a", reservation, 1).at(0);
    const std::string id(before["ticketId"].as_string());
    auto r = customer("usr_a", "POST", "/api/v1/tickets/" + id + "/reissue");
    ASSERT_EQ(r.status, 200) << r.body;
    auto after = json_of(r);
    EXPECT_EQ(after["issue"], 1);
    EXPECT_NE(after["code"], before["code"]);
    EXPECT_NE(after["rotating"].as_object()["ticketKey"],
              before["rotating"].as_object()["ticketKey"]);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.reissued'"),
              1);

    auto old_code = check_in(std::string(before["code"].as_string()));
    EXPECT_EQ(old_code.status, 422) << old_code.body;
    EXPECT_EQ(json_of(old_code)["reason"], "revoked");
    auto old_rotating = check_in(rotating_code_of(before, now_unix()));
    EXPECT_EQ(json_of(old_rotating)["reason"], "revoked");
    auto fresh = check_in(rotating_code_of(after, now_unix()));
    EXPECT_EQ(fresh.status, 200) << fresh.body;

    // The gate kit lists the ticket as reissued.
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    ASSERT_EQ(kit["revoked"].as_array().size(), 1u);
    EXPECT_EQ(kit["revoked"].as_array()[0].as_object()["reason"], "reissued");
    EXPECT_EQ(kit["revoked"].as_array()[0].as_object()["validIssue"], 1);

    // A used ticket cannot be reissued.
    auto again = customer("usr_a", "POST", "/api/v1/tickets/" + id + "/reissue");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(code_of(again), "INVALID_STATE");
}

TEST_F(TicketLifecycle, CancelledReservationCancelsItsTickets) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_7", "seat_8"});
    auto tickets = tickets_of("usr_a", reservation, 2);
    auto r = customer("usr_a", "POST", "/api/v1/reservations/" + reservation + "/cancel");
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string id(tickets[0]["ticketId"].as_string());
    // Voided by the refund guard before the reservation was cancelled: refused at the gate at
    // once; announced, with the cancellation's reason, once reservation.cancelled is handled.
    EXPECT_EQ(ticket("usr_a", id)["status"], "CANCELLED");
    ASSERT_TRUE(eventually([&] {
        return pg_scalar(
                   "SELECT count(*) FROM admit.event_outbox WHERE topic = "
                   "'ticket.cancelled'") == 2;
    })) << admitd_->log();
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM ticket.tickets WHERE reservation_id = '" + reservation +
                  "' AND status = 'CANCELLED' AND status_reason = 'RESERVATION_CANCELLED'"),
        2);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.pending_voids"), 0);
    auto scan = check_in(rotating_code_of(tickets[0], now_unix()));
    EXPECT_EQ(scan.status, 422);
    EXPECT_EQ(json_of(scan)["reason"], "cancelled");
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["revoked"].as_array().size(), 2u);
}

// The refund guard voids the tickets in its own transaction before the reservation plugin
// cancels the reservation in another. When the second never commits (scripts/chaos: every
// instance killed during cancellations left a paid, CONFIRMED order with only cancelled tickets),
// the void is given back once its grace period has passed and the reservation is still CONFIRMED.
TEST_F(TicketLifecycle, AVoidWhoseCancellationNeverCommittedGivesTheTicketsBack) {
    start_admitd({}, {}, "void_grace_ms = 300\nvoid_check_ms = 100\n");
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_2"});
    auto tickets = tickets_of("usr_a", reservation, 1);
    const std::string id(tickets[0]["ticketId"].as_string());

    // The guard's step alone, as when the cancelling process dies right after it.
    auto voided = admin("POST", "/api/v1/test/call",
                        R"({"method": "ticket.void_reservation", "input": {"reservationId": ")" +
                            reservation + R"(", "actor": "usr_a"}})");
    ASSERT_EQ(voided.status, 200) << voided.body;
    EXPECT_EQ(json_of(voided)["voided"], 1);
    auto refused = check_in(rotating_code_of(tickets[0], now_unix()));
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(json_of(refused)["reason"], "cancelled");

    // The reservation is still CONFIRMED and paid: the ticket is valid again.
    ASSERT_TRUE(eventually([&] { return ticket("usr_a", id)["status"] == "ISSUED"; }))
        << admitd_->log();
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.pending_voids"), 0);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.reservations WHERE id = '" + reservation +
                        "' AND status = 'CONFIRMED'"),
              1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'ticket.cancelled'"),
              0);  // never announced
    auto admitted = check_in(rotating_code_of(tickets[0], now_unix()));
    EXPECT_EQ(admitted.status, 200) << admitted.body;

    // Admitted at the gate now: a later cancellation is refused, never refunded.
    auto cancel = customer("usr_a", "POST", "/api/v1/reservations/" + reservation + "/cancel");
    EXPECT_EQ(cancel.status, 409) << cancel.body;
}

// The cancellation and the confirmation reach the plugin through separate subscriptions, so
// reservation.cancelled may be handled first (scripts/chaos found valid tickets of cancelled
// reservations this way, twice: the second time after a kill of every instance and a PostgreSQL
// restart, when the retried cancellation was parked before the confirmation got through): the
// cancellation is recorded at once, and the tickets issued after it are born CANCELLED, never
// announced. (Handled the other way round, reservation.cancelled cancels the issued tickets:
// CancelledReservationCancelsItsTickets.)
TEST_F(TicketLifecycle, ACancellationHandledBeforeTheIssueStillCancelsTheTickets) {
    const auto schedule = unique_schedule("sch_seats_10");
    const std::string reservation = "rsv_cancelled_first_" + schedule;
    boost::json::object base{{"reservationId", reservation},
                             {"scheduleId", schedule},
                             {"userId", "usr_a"},
                             {"seatIds", boost::json::array{"seat_4", "seat_5"}},
                             {"quantity", 2}};
    auto cancelled = base;
    cancelled["reason"] = "CANCELLED";
    cancelled["refund"] = boost::json::object{{"amount", 0}, {"currency", "KRW"}};
    auto publish = [&](const char* topic, const boost::json::object& payload) {
        return admin("POST", "/api/v1/test/publish",
                     boost::json::serialize(boost::json::object{
                         {"topic", topic}, {"key", schedule}, {"payload", payload}}));
    };
    ASSERT_EQ(publish("reservation.cancelled", cancelled).status, 204);
    // The cancellation is handled (and recorded) before the confirmation is even published.
    ASSERT_TRUE(eventually([&] {
        return pg_scalar(
                   "SELECT count(*) FROM ticket.cancelled_reservations WHERE "
                   "reservation_id = '" +
                   reservation + "'") == 1;
    })) << admitd_->log();
    ASSERT_EQ(publish("reservation.confirmed", base).status, 204);
    ASSERT_TRUE(eventually([&] {
        return pg_scalar("SELECT count(*) FROM ticket.tickets WHERE reservation_id = '" +
                         reservation + "'") == 2;
    })) << admitd_->log();
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM ticket.tickets WHERE reservation_id = '" + reservation +
                  "' AND status = 'CANCELLED' AND status_reason = "
                  "'RESERVATION_CANCELLED'"),
        2);
    // Born cancelled: neither announced nor withdrawn.
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic LIKE 'ticket.%' "
                        "AND payload::jsonb->>'reservationId' = '" +
                        reservation + "'"),
              0);
}

TEST_F(TicketLifecycle, CancelledProductCancelsTicketsOfItsSchedules) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_9"});
    const std::string id(tickets_of("usr_a", reservation, 1).at(0)["ticketId"].as_string());
    auto r = admin("POST", "/api/v1/test/publish",
                   boost::json::serialize(boost::json::object{
                       {"topic", "product.cancelled"},
                       {"key", "prd_" + schedule},
                       {"payload",
                        {{"productId", "prd_" + schedule},
                         {"scheduleIds", boost::json::array{boost::json::string(schedule)}},
                         {"reason", "storm"}}}}));
    ASSERT_EQ(r.status, 204) << r.body;
    ASSERT_TRUE(eventually([&] { return ticket("usr_a", id)["status"] == "CANCELLED"; }))
        << admitd_->log();
    EXPECT_EQ(ticket("usr_a", id)["statusReason"], "PRODUCT_CANCELLED");
}

// The reservation's own cancellation may reach the tickets before product.cancelled does: it
// carries the product's reason, so the ticket says why whichever event comes first.
TEST_F(TicketLifecycle, AReservationCancelledWithItsProductGivesTheProductsReason) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_8"});
    const std::string id(tickets_of("usr_a", reservation, 1).at(0)["ticketId"].as_string());
    auto r =
        admin("POST", "/api/v1/test/publish",
              boost::json::serialize(boost::json::object{{"topic", "reservation.cancelled"},
                                                         {"key", schedule},
                                                         {"payload",
                                                          {{"reservationId", reservation},
                                                           {"scheduleId", schedule},
                                                           {"reason", "PRODUCT_CANCELLED"}}}}));
    ASSERT_EQ(r.status, 204) << r.body;
    ASSERT_TRUE(eventually([&] { return ticket("usr_a", id)["status"] == "CANCELLED"; }))
        << admitd_->log();
    EXPECT_EQ(ticket("usr_a", id)["statusReason"], "PRODUCT_CANCELLED");
}

TEST_F(TicketLifecycle, TicketsExpireAfterThePerformance) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_9", "seat_10"});
    auto tickets = tickets_of("usr_a", reservation, 2);
    auto issued = tickets[0];
    const std::string id(issued["ticketId"].as_string());
    const std::string admitted_id(tickets[1]["ticketId"].as_string());
    ASSERT_EQ(check_in(std::string(tickets[1]["code"].as_string())).status, 200);
    // The performance ended a minute ago (the stub's schedules are in 2099).
    pg_exec(
        "UPDATE ticket.tickets SET valid_until = now() - interval '1 minute' WHERE "
        "reservation_id = '" +
        reservation + "'");
    ASSERT_TRUE(eventually([&] { return ticket("usr_a", id)["status"] == "EXPIRED"; }))
        << admitd_->log();
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.expired'"),
              1);
    auto scan = check_in(std::string(issued["code"].as_string()));
    EXPECT_EQ(scan.status, 422);
    EXPECT_EQ(json_of(scan)["reason"], "expired");
    // The admitted ticket stays USED, unannounced; the job is done with it (it leaves the job's
    // index, so later passes never read it again).
    ASSERT_TRUE(eventually([&] {
        return pg_scalar("SELECT count(*) FROM ticket.tickets WHERE id = '" + admitted_id +
                         "' AND expiry_done AND NOT live") == 1;
    })) << admitd_->log();
    EXPECT_EQ(ticket("usr_a", admitted_id)["status"], "USED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.expired'"),
              1);
}

TEST_F(TicketLifecycle, AdminAndTheSellerSeeTheScheduleWithCountsOthersDoNot) {
    const auto schedule = unique_schedule("sch_seats_10");
    const auto reservation = buy_seats("usr_a", schedule, {"seat_1", "seat_2"});
    auto tickets = tickets_of("usr_a", reservation, 2);
    ASSERT_EQ(check_in(std::string(tickets[0]["code"].as_string())).status, 200);

    auto view = json_of(admin("GET", "/api/v1/schedules/" + schedule + "/tickets"));
    EXPECT_EQ(view["counts"].as_object()["ISSUED"], 1);
    EXPECT_EQ(view["counts"].as_object()["USED"], 1);
    EXPECT_EQ(view["counts"].as_object()["total"], 2);
    EXPECT_EQ(view["items"].as_array().size(), 2u);
    auto used = json_of(admin("GET", "/api/v1/schedules/" + schedule + "/tickets?status=USED"));
    EXPECT_EQ(used["items"].as_array().size(), 1u);
    EXPECT_EQ(admin("GET", "/api/v1/schedules/" + schedule + "/tickets?status=LOST").status, 400);

    auto seller = as("usr_seller", "seller", "GET", "/api/v1/schedules/" + schedule + "/tickets");
    EXPECT_EQ(seller.status, 200) << seller.body;
    auto other =
        as("usr_other_seller", "seller", "GET", "/api/v1/schedules/" + schedule + "/tickets");
    EXPECT_EQ(other.status, 404);
    auto buyer = customer("usr_a", "GET", "/api/v1/schedules/" + schedule + "/tickets");
    EXPECT_EQ(buyer.status, 403);
}

}  // namespace
}  // namespace admit::testing
