// product through a real admitd with arthall, test_auth and a stub publishing reservation.*
// events: the acceptance flow with a controllable clock, every illegal move over HTTP, roles,
// validation, seat status from reservation events (seat map, grade counts, SSE), stage in use.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/plugins/product/product_e2e_fixture.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

namespace admit::testing::catalog {
namespace {

using boost::json::value;

// A body field naming an object is checked like a path: a seller builds only on stages of halls
// they own (the stage here belongs to kSeller's hall); an admin may use any.
TEST_F(ProductEndToEnd, ASellerCannotBuildOnAnotherSellersStage) {
    auto refused = api_->call(kOtherSeller, "POST", "/api/v1/products", product_body());
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("FORBIDDEN"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("stageId"), std::string::npos) << refused.body;
    auto listed = api_->expect(200, kAdmin, "GET", "/api/v1/products?status=DRAFT");
    EXPECT_EQ(listed.at("items").as_array().size(), 0u) << "nothing was created";
    EXPECT_EQ(api_->call(kAdmin, "POST", "/api/v1/products", product_body()).status, 201);
    EXPECT_EQ(api_->call(kSeller, "POST", "/api/v1/products", product_body()).status, 201);
}

TEST_F(ProductEndToEnd, SellerCreatesAdminApprovesItGoesOnSaleAndTheSeatMapShowsIt) {
    const auto id = create(product_body());
    auto draft = api_->expect(200, kSeller, "GET", "/api/v1/products/" + id);
    EXPECT_EQ(draft.at("status"), "DRAFT");
    const auto& grades = draft.at("grades").as_array();
    ASSERT_EQ(grades.size(), 3u);
    EXPECT_EQ(grades[0].at("total"), 150);  // rows 1-3 of section A
    EXPECT_EQ(grades[1].at("total"), 350);
    EXPECT_EQ(grades[2].at("total"), 500);

    EXPECT_EQ(move(id, "submit", kSeller), 200);
    EXPECT_EQ(product_status(id), "PENDING");
    EXPECT_EQ(move(id, "approve", kAdmin), 200);
    EXPECT_EQ(product_status(id), "SCHEDULED");
    auto product = api_->expect(200, kAnonymous, "GET", "/api/v1/products/" + id);
    const std::string schedule_id(
        product.at("schedules").as_array()[0].at("scheduleId").as_string());
    EXPECT_EQ(product.at("schedules").as_array()[0].at("grades").as_array()[0].at("remaining"),
              150);

    auto before = seat_map(schedule_id);
    EXPECT_EQ(before.at("productStatus"), "SCHEDULED");
    EXPECT_EQ(before.at("seats").as_array().size(), 1000u);

    api_->advance_clock(3601);  // past the sale start: the job opens the sale
    EXPECT_TRUE(eventually([&] { return product_status(id) == "ON_SALE"; })) << product_status(id);
    EXPECT_TRUE(eventually([&] { return seat_map(schedule_id).at("productStatus") == "ON_SALE"; }));
    auto map = seat_map(schedule_id);
    ASSERT_EQ(map.at("seats").as_array().size(), 1000u);
    for (const auto& seat : map.at("seats").as_array()) ASSERT_EQ(seat.as_array()[5], "AVAILABLE");
    EXPECT_EQ(map.at("grades").as_array()[0].at("price").at("amount"), 150000);
    EXPECT_EQ(map.at("grades").as_array()[0].at("remaining"), 150);

    api_->advance_clock(9 * 86400);  // past the sale end
    EXPECT_TRUE(eventually([&] { return product_status(id) == "CLOSED"; })) << product_status(id);
    api_->advance_clock(86400 + 3 * 3600);  // past the performance's end
    EXPECT_TRUE(eventually([&] { return product_status(id) == "COMPLETED"; }))
        << product_status(id);
}

TEST_F(ProductEndToEnd, EveryIllegalMoveIsRefusedWith409) {
    const auto id = create(product_body());
    EXPECT_EQ(move(id, "approve", kAdmin), 409);
    EXPECT_EQ(move(id, "reject", kAdmin, {{"reason", "no"}}), 409);
    EXPECT_EQ(move(id, "submit", kSeller), 200);
    EXPECT_EQ(move(id, "submit", kSeller), 409);
    EXPECT_EQ(api_->call(kSeller, "PATCH", "/api/v1/products/" + id, value{{"title", "x"}}).status,
              409);
    EXPECT_EQ(api_->call(kSeller, "POST", "/api/v1/products/" + id + "/schedules",
                         value{{"startsAt", rfc3339(now_ + 20 * 86400)}})
                  .status,
              409);
    EXPECT_EQ(move(id, "approve", kAdmin), 200);
    EXPECT_EQ(move(id, "approve", kAdmin), 409);
    EXPECT_EQ(move(id, "reject", kAdmin, {{"reason", "late"}}), 409);
    EXPECT_EQ(move(id, "submit", kSeller), 409);
    EXPECT_EQ(move(id, "cancel", kSeller, {{"reason", "venue flooded"}}), 200);
    EXPECT_EQ(product_status(id), "CANCELLED");
    for (const char* action : {"submit", "approve", "cancel"})
        EXPECT_EQ(move(id, action, kAdmin), 409) << action;
    EXPECT_EQ(move(id, "reject", kAdmin, {{"reason", "x"}}), 409);
    // The sale job does not touch a cancelled product: once it opened another one's sale, it ran.
    auto [witness, witness_schedule] = scheduled_product(product_body());
    api_->advance_clock(3601);
    EXPECT_TRUE(eventually([&] { return product_status(witness) == "ON_SALE"; }));
    EXPECT_EQ(product_status(id), "CANCELLED");
}

TEST_F(ProductEndToEnd, RejectReturnsToDraftWithAReasonAndIncompleteProductsCannotBeSubmitted) {
    auto body = product_body();
    body.as_object().erase("schedules");
    const auto id = create(body);
    auto incomplete = api_->call(kSeller, "POST", "/api/v1/products/" + id + "/submit");
    EXPECT_EQ(incomplete.status, 422);
    EXPECT_NE(incomplete.body.find("PRODUCT_INCOMPLETE"), std::string::npos);
    auto early = api_->call(kSeller, "POST", "/api/v1/products/" + id + "/schedules",
                            value{{"startsAt", rfc3339(now_ + 60)}});
    EXPECT_EQ(early.status, 201) << early.body;
    EXPECT_EQ(api_->call(kSeller, "POST", "/api/v1/products/" + id + "/submit").status,
              422);  // show before the sale
    auto fresh = create(product_body());
    EXPECT_EQ(move(fresh, "submit", kSeller), 200);
    EXPECT_EQ(move(fresh, "reject", kAdmin), 400);  // the reason is required
    EXPECT_EQ(move(fresh, "reject", kAdmin, {{"reason", "poster missing"}}), 200);
    auto rejected = api_->expect(200, kSeller, "GET", "/api/v1/products/" + fresh);
    EXPECT_EQ(rejected.at("status"), "DRAFT");
    EXPECT_EQ(rejected.at("rejectReason"), "poster missing");
    api_->expect(200, kSeller, "PATCH", "/api/v1/products/" + fresh,
                 {{"description", "now with a poster"}});
    EXPECT_EQ(move(fresh, "submit", kSeller), 200);
}

TEST_F(ProductEndToEnd, RolesAndOwnership) {
    EXPECT_EQ(api_->call(kCustomer, "POST", "/api/v1/products", product_body()).status, 403);
    EXPECT_EQ(api_->call(kAnonymous, "POST", "/api/v1/products", product_body()).status, 401);
    const auto id = create(product_body());
    const std::string path = "/api/v1/products/" + id;
    EXPECT_EQ(api_->call(kOtherSeller, "PATCH", path, value{{"title", "Mine now"}}).status, 403);
    EXPECT_EQ(api_->call(kOtherSeller, "POST", path + "/schedules",
                         value{{"startsAt", rfc3339(now_ + 86400 * 11)}})
                  .status,
              403);
    EXPECT_EQ(move(id, "submit", kOtherSeller), 403);
    EXPECT_EQ(move(id, "cancel", kOtherSeller), 403);
    EXPECT_EQ(move(id, "cancel", kCustomer), 403);
    EXPECT_EQ(api_->call(kAnonymous, "GET", path).status, 404);  // a draft is not public
    EXPECT_EQ(api_->call(kOtherSeller, "GET", path).status, 404);
    EXPECT_EQ(api_->call(kSeller, "GET", path).status, 200);
    EXPECT_EQ(move(id, "submit", kSeller), 200);
    EXPECT_EQ(move(id, "approve", kSeller), 403);  // only admins approve
    EXPECT_EQ(move(id, "reject", kOtherSeller, {{"reason", "x"}}), 403);

    auto mine = api_->expect(200, kSeller, "GET", "/api/v1/products");
    EXPECT_EQ(mine.at("items").as_array().size(), 1u);
    auto theirs = api_->expect(200, kAnonymous, "GET", "/api/v1/products");
    EXPECT_EQ(theirs.at("items").as_array().size(), 0u);
    EXPECT_EQ(move(id, "approve", kAdmin), 200);
    EXPECT_EQ(api_->expect(200, kAnonymous, "GET", "/api/v1/products?status=SCHEDULED&q=swan")
                  .at("items")
                  .as_array()
                  .size(),
              1u);
    EXPECT_EQ(api_->expect(200, kAnonymous, "GET", "/api/v1/products?q=hamlet")
                  .at("items")
                  .as_array()
                  .size(),
              0u);
    const std::string window =
        "/api/v1/products?from=" + rfc3339(now_ + 9 * 86400) + "&to=" + rfc3339(now_ + 11 * 86400);
    EXPECT_EQ(api_->expect(200, kAnonymous, "GET", window).at("items").as_array().size(), 1u);
    const std::string later = "/api/v1/products?from=" + rfc3339(now_ + 11 * 86400);
    EXPECT_EQ(api_->expect(200, kAnonymous, "GET", later).at("items").as_array().size(), 0u);
    EXPECT_EQ(api_->call(kAnonymous, "GET", "/api/v1/products?status=SOLD").status, 400);
    EXPECT_EQ(api_->call(kAnonymous, "GET", "/api/v1/products?from=yesterday").status, 400);
    EXPECT_EQ(api_->call(kAnonymous, "GET", "/api/v1/products?limit=500").status, 400);
}

TEST_F(ProductEndToEnd, InvalidBodiesAre400NamingTheField) {
    auto expect_400 = [&](value body, const std::string& field) {
        auto r = api_->call(kSeller, "POST", "/api/v1/products", body);
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_NE(r.body.find(field), std::string::npos) << field << ": " << r.body;
    };
    auto body = product_body();
    body.as_object()["stageId"] = "stg_missing";
    expect_400(body, "stageId");
    body = product_body();
    body.as_object()["grades"] =
        boost::json::parse(R"([{"name": "BALCONY", "price": {"amount": 1, "currency": "KRW"}}])");
    expect_400(body, "grades[0]");
    body = product_body();
    body.as_object().erase("title");
    expect_400(body, "title");
    body = product_body();
    body.as_object()["saleEndsAt"] = rfc3339(now_);
    expect_400(body, "saleEndsAt");
    auto bad_json = api_->call(kSeller, "POST", "/api/v1/products", std::string("{"));
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_EQ(api_->call(kAdmin, "POST", "/api/v1/products/prd_missing/approve").status, 404);
    EXPECT_EQ(api_->call(kAnonymous, "GET", "/api/v1/schedules/sch_missing/seats").status, 404);
}

TEST_F(ProductEndToEnd, ReservationEventsMoveSeatsAndCountsAndReachTheStream) {
    auto [id, schedule_id] = scheduled_product(product_body());
    const auto seats = first_seat_ids(schedule_id, 2);
    const std::string& vip1 = seats[0];
    const std::string& vip2 = seats[1];

    SseReader stream(api_->port(), "/api/v1/schedules/" + schedule_id + "/seats/stream");
    ASSERT_TRUE(stream.connected());
    ASSERT_TRUE(stream.wait_for("snapshot", std::chrono::seconds(5))) << stream.received();

    publish("reservation.held", schedule_id,
            {{"reservationId", "rsv_1"},
             {"userId", "usr_buyer"},
             {"seatIds", {vip1, vip2}},
             {"quantity", 2}});
    ASSERT_TRUE(stream.wait_for("event: seat", std::chrono::seconds(10))) << stream.received();
    EXPECT_NE(stream.received().find(vip1), std::string::npos);
    EXPECT_NE(stream.received().find("\"HELD\""), std::string::npos);
    EXPECT_TRUE(stream.wait_for("event: stock", std::chrono::seconds(5))) << stream.received();

    EXPECT_TRUE(eventually(
        [&] { return seat_map(schedule_id).at("seats").as_array()[0].as_array()[5] == "HELD"; }));
    auto held = seat_map(schedule_id);
    EXPECT_EQ(held.at("seats").as_array()[1].as_array()[5], "HELD");
    EXPECT_EQ(held.at("seats").as_array()[2].as_array()[5], "AVAILABLE");
    EXPECT_EQ(held.at("grades").as_array()[0].at("remaining"), 148);
    // PostgreSQL counts commit just after Redis is written: wait for them.
    auto vip_counts = [&] {
        return api_->expect(200, kSeller, "GET", "/api/v1/products/" + id)
            .at("schedules")
            .as_array()[0]
            .at("grades")
            .as_array()[0];
    };
    EXPECT_TRUE(eventually([&] { return vip_counts().at("held") == 2; })) << vip_counts();

    // A seat that is already held is not taken over (events of one schedule are handled in order,
    // so the confirmation below sees this one first; it would find vip1 owned by rsv_2).
    publish("reservation.held", schedule_id,
            {{"reservationId", "rsv_2"}, {"seatIds", {vip1}}, {"quantity", 1}});
    // Another reservation cannot release seats it does not hold.
    publish("reservation.released", schedule_id,
            {{"reservationId", "rsv_other"},
             {"seatIds", {vip1}},
             {"quantity", 1},
             {"reason", "RELEASED"}});
    publish("reservation.confirmed", schedule_id,
            {{"reservationId", "rsv_1"}, {"seatIds", {vip1, vip2}}, {"quantity", 2}});
    EXPECT_TRUE(eventually(
        [&] { return seat_map(schedule_id).at("seats").as_array()[0].as_array()[5] == "SOLD"; }));
    EXPECT_TRUE(eventually([&] { return vip_counts().at("sold") == 2; })) << vip_counts();
    EXPECT_EQ(vip_counts().at("held"), 0);
    EXPECT_EQ(vip_counts().at("remaining"), 148);

    publish("reservation.cancelled", schedule_id,
            {{"reservationId", "rsv_1"}, {"seatIds", {vip1, vip2}}, {"quantity", 2}});
    EXPECT_TRUE(eventually(
        [&] { return seat_map(schedule_id).at("grades").as_array()[0].at("remaining") == 150; }));
    EXPECT_EQ(seat_map(schedule_id).at("seats").as_array()[0].as_array()[5], "AVAILABLE");
    EXPECT_TRUE(stream.wait_for("AVAILABLE", std::chrono::seconds(5)));
}

// The subscriber writes a transaction's holds together (seat_batch.hpp): events published in one
// transaction are delivered in one, and must end as they would one by one, in order.
TEST_F(ProductEndToEnd, EventsDeliveredTogetherEndAsTheyWouldOneByOne) {
    auto [id, schedule_id] = scheduled_product(product_body());
    const auto seats = first_seat_ids(schedule_id, 3);
    const std::string& s1 = seats[0];
    const std::string& s2 = seats[1];
    const std::string& s3 = seats[2];
    SseReader stream(api_->port(), "/api/v1/schedules/" + schedule_id + "/seats/stream");
    ASSERT_TRUE(stream.wait_for("snapshot", std::chrono::seconds(5))) << stream.received();

    auto event = [&](const char* topic, const char* reservation, boost::json::array seat_ids) {
        return value{{"topic", topic},
                     {"key", schedule_id},
                     {"payload",
                      {{"scheduleId", schedule_id},
                       {"reservationId", reservation},
                       {"quantity", seat_ids.size()},
                       {"seatIds", seat_ids}}}};
    };
    // rsv_b cannot take s2 from rsv_a; rsv_a's release frees s1 and s2, and rsv_c takes s1 after
    // it; rsv_b's s3 is confirmed; a repeated hold changes nothing.
    boost::json::array events;
    events.push_back(event("reservation.held", "rsv_a", {s1, s2}));
    events.push_back(event("reservation.held", "rsv_b", {s2, s3}));
    events.push_back(event("reservation.released", "rsv_a", {s1, s2}));
    events.push_back(event("reservation.held", "rsv_c", {s1}));
    events.push_back(event("reservation.held", "rsv_c", {s1}));
    events.push_back(event("reservation.confirmed", "rsv_b", {s3}));
    boost::json::object body;
    body["events"] = std::move(events);
    api_->expect(202, kAdmin, "POST", "/api/v1/test/events", body);
    auto counts = [&] {
        int64_t held = 0, sold = 0;
        const auto product = api_->expect(200, kSeller, "GET", "/api/v1/products/" + id);
        for (const auto& grade : product.at("schedules").as_array()[0].at("grades").as_array()) {
            held += grade.at("held").as_int64();
            sold += grade.at("sold").as_int64();
        }
        return std::pair{held, sold};
    };
    EXPECT_TRUE(eventually([&] {
        return counts() == std::pair<int64_t, int64_t>{1, 1};
    })) << counts().first
        << " held, " << counts().second << " sold";
    EXPECT_TRUE(eventually([&] {
        const auto now = seat_map(schedule_id).at("seats").as_array();
        return now[0].as_array()[5] == "HELD" && now[1].as_array()[5] == "AVAILABLE" &&
               now[2].as_array()[5] == "SOLD";
    })) << seat_map(schedule_id);
    // PostgreSQL, the record the map is rebuilt from, says who holds what.
    auto owned = [&](const std::string& seat, const char* status, const char* reservation) {
        return pg_scalar(storage_.pg_url(),
                         "SELECT count(*) FROM product.seat_states WHERE schedule_id = '" +
                             schedule_id + "' AND seat_id = '" + seat + "' AND status = '" +
                             status + "' AND reservation_id = '" + reservation + "'");
    };
    EXPECT_EQ(owned(s1, "HELD", "rsv_c"), 1);
    EXPECT_EQ(owned(s3, "SOLD", "rsv_b"), 1);
    EXPECT_EQ(pg_scalar(storage_.pg_url(),
                        "SELECT count(*) FROM product.seat_states WHERE schedule_id = '" +
                            schedule_id + "'"),
              2);
    EXPECT_TRUE(stream.wait_for("SOLD", std::chrono::seconds(5))) << stream.received();
}

TEST_F(ProductEndToEnd, GeneralAdmissionStockFollowsReservations) {
    auto body = product_body();
    body.as_object()["seating"] = "GENERAL_ADMISSION";
    body.as_object()["grades"] = boost::json::parse(
        R"([{"name": "FLOOR", "price": {"amount": 50000, "currency": "KRW"}, "quantity": 300}])");
    auto [id, schedule_id] = scheduled_product(body);
    auto map = seat_map(schedule_id);
    EXPECT_EQ(map.at("seating"), "GENERAL_ADMISSION");
    EXPECT_EQ(map.at("seats").as_array().size(), 0u);
    const std::string grade(map.at("grades").as_array()[0].at("gradeId").as_string());
    SseReader stream(api_->port(), "/api/v1/schedules/" + schedule_id + "/seats/stream");
    publish("reservation.held", schedule_id,
            {{"reservationId", "rsv_ga"},
             {"gradeId", grade},
             {"quantity", 3},
             {"seatIds", boost::json::array()}});
    EXPECT_TRUE(eventually(
        [&] { return seat_map(schedule_id).at("grades").as_array()[0].at("remaining") == 297; }));
    EXPECT_TRUE(stream.wait_for("\"remaining\":297", std::chrono::seconds(5))) << stream.received();
    publish(
        "reservation.released", schedule_id,
        {{"reservationId", "rsv_ga"}, {"gradeId", grade}, {"quantity", 3}, {"reason", "EXPIRED"}});
    EXPECT_TRUE(eventually(
        [&] { return seat_map(schedule_id).at("grades").as_array()[0].at("remaining") == 300; }));
}

TEST_F(ProductEndToEnd, AStageInUseCannotBeDeleted) {
    auto [id, schedule_id] = scheduled_product(product_body());
    auto refused = api_->call(kSeller, "DELETE", "/api/v1/stages/" + stage_id_);
    EXPECT_EQ(refused.status, 409);
    EXPECT_NE(refused.body.find("STAGE_IN_USE"), std::string::npos);
    EXPECT_EQ(api_->call(kSeller, "DELETE", "/api/v1/halls/" + hall_id_).status, 409);
    EXPECT_EQ(move(id, "cancel", kAdmin, {{"reason", "test"}}), 200);
    EXPECT_EQ(api_->call(kSeller, "DELETE", "/api/v1/stages/" + stage_id_).status, 204);
}

TEST_F(ProductEndToEnd, ServicesDescribeTheScheduleAndTheStageUse) {
    auto [id, schedule_id] = scheduled_product(product_body());
    auto [code, line] =
        call_service("product.sale_context", "{\"scheduleId\": \"" + schedule_id + "\"}");
    ASSERT_EQ(code, 0) << line;
    auto context = boost::json::parse(line);
    EXPECT_EQ(context.at("productId"), id.c_str());
    EXPECT_EQ(context.at("sellerId"), kSeller.user.c_str());
    EXPECT_EQ(context.at("productStatus"), "SCHEDULED");
    EXPECT_EQ(context.at("seating"), "RESERVED");
    EXPECT_EQ(context.at("startsAt"), rfc3339(now_ + 10 * 86400).c_str());
    ASSERT_EQ(context.at("grades").as_array().size(), 3u);
    EXPECT_EQ(context.at("grades").as_array()[0].at("price").at("amount"), 150000);
    EXPECT_EQ(context.at("grades").as_array()[0].at("total"), 150);
    ASSERT_EQ(context.at("seats").as_array().size(), 1000u);
    EXPECT_EQ(context.at("seats").as_array()[0].at("gradeId"),
              context.at("grades").as_array()[0].at("gradeId"));
    EXPECT_EQ(context.at("seats").as_array()[0].at("label"), "A-A-1");
    EXPECT_NE(call_service("product.sale_context", "{\"scheduleId\": \"sch_missing\"}").first, 0);
    auto [in_use_code, in_use] =
        call_service("product.stage_in_use", "{\"stageId\": \"" + stage_id_ + "\"}");
    ASSERT_EQ(in_use_code, 0) << in_use;
    EXPECT_EQ(boost::json::parse(in_use).at("inUse"), true);
}

TEST_F(ProductEndToEnd, AScheduleMayRequireTheWaitingRoom) {
    auto [plain_id, plain] = scheduled_product(product_body());
    auto [plain_code, plain_line] =
        call_service("product.sale_context", "{\"scheduleId\": \"" + plain + "\"}");
    ASSERT_EQ(plain_code, 0) << plain_line;
    EXPECT_EQ(boost::json::parse(plain_line).at("queueRequired"), false);

    auto body = product_body();
    body.as_object()["schedules"].as_array()[0].as_object()["queueRequired"] = true;
    auto [queued_id, queued] = scheduled_product(body);
    auto [code, line] =
        call_service("product.sale_context", "{\"scheduleId\": \"" + queued + "\"}");
    ASSERT_EQ(code, 0) << line;
    EXPECT_EQ(boost::json::parse(line).at("queueRequired"), true);
    auto product = api_->expect(200, kSeller, "GET", "/api/v1/products/" + queued_id);
    EXPECT_EQ(product.at("schedules").as_array()[0].at("queueRequired"), true);

    body.as_object()["schedules"].as_array()[0].as_object()["queueRequired"] = "yes";
    auto refused = api_->call(kSeller, "POST", "/api/v1/products", body);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("queueRequired"), std::string::npos) << refused.body;
}

TEST_F(ProductEndToEnd, ExplicitSeatIdsOverrideTheLayoutGrade) {
    auto stage = api_->expect(200, kSeller, "GET", "/api/v1/stages/" + stage_id_ + "/seats");
    const std::string seat(stage.at("seats").as_array()[999].as_array()[0].as_string());
    auto body = product_body();
    body.as_object()["grades"].as_array().push_back(boost::json::parse(
        R"({"name": "PROMO", "price": {"amount": 1000, "currency": "KRW"}, "seatIds": [")" + seat +
        "\"]}"));
    const auto id = create(body);
    auto product = api_->expect(200, kSeller, "GET", "/api/v1/products/" + id);
    EXPECT_EQ(product.at("grades").as_array()[2].at("total"), 499);
    EXPECT_EQ(product.at("grades").as_array()[3].at("total"), 1);
}

// Every arthall and product route and the seat stream carry a contract with a unique operationId
// in /openapi.json, and the seat map documents its columns.
TEST_F(ProductEndToEnd, EveryCatalogRouteDocumentsItsContract) {
    const auto doc = api_->expect(200, kAnonymous, "GET", "/openapi.json");
    std::set<std::string> ids;
    std::size_t operations = 0;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, op] : item.as_object()) {
            const auto& tags = op.at("tags").as_array();
            if (tags.empty() || (tags[0] != "arthall" && tags[0] != "product")) continue;
            ++operations;
            EXPECT_EQ(op.at("x-contract"), true) << method << " " << path;
            EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second)
                << "operationId repeated: " << op.at("operationId");
        }
    }
    EXPECT_EQ(operations, 12u + 11u) << "12 arthall routes, 10 product routes and the seat stream";
    const auto& seat_map =
        doc.at("paths").at("/api/v1/schedules/{scheduleId}/seats").at("get").as_object();
    EXPECT_EQ(seat_map.at("operationId"), "getSeatMap");
    const auto& schema =
        seat_map.at("responses").at("200").at("content").at("application/json").at("schema");
    EXPECT_EQ(schema.at("properties").at("columns").at("const"),
              boost::json::parse(R"(["seatId", "label", "grade", "x", "y", "status"])"));
    EXPECT_EQ(doc.at("paths")
                  .at("/api/v1/schedules/{scheduleId}/seats/stream")
                  .at("get")
                  .at("operationId"),
              "streamSeats");
}

}  // namespace
}  // namespace admit::testing::catalog
