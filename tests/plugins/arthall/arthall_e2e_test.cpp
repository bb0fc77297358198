// arthall through a real admitd (test_auth identities, real PostgreSQL and Redis): halls, stages
// generated from layouts, the compact seat map, soft delete with cascade, roles and validation.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tests/plugins/product/catalog_test_client.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing::catalog {
namespace {

class ArthallEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        auto file = write_temp_file(
            "venue.toml",
            venue_toml({.plugins = {"test_auth", "arthall", "product"},
                        .extra_toml = "[plugin.arthall]\nmax_seats_per_stage = 5000\n"
                                      "max_halls_per_seller = 3\nmax_stages_per_hall = 2\n"},
                       &storage_));
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        api_ = std::make_unique<Api>(*port);
    }

    std::string create_hall(const Caller& who, const std::string& name = "Seoul Arts Center") {
        auto hall = api_->expect(201, who, "POST", "/api/v1/halls",
                                 {{"name", name}, {"address", "Seocho-gu"}});
        return std::string(hall.at("hallId").as_string());
    }

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    std::unique_ptr<Api> api_;
};

TEST_F(ArthallEndToEnd, GeneratesATwoThousandSeatStageAndServesItsSeatMap) {
    const auto hall = create_hall(kSeller);
    EXPECT_EQ(hall.rfind("hal_", 0), 0u);
    auto layout = boost::json::parse(R"({"sections": [
        {"name": "A", "rows": 20, "seatsPerRow": 50, "grade": "R", "gradeBlocks": [{"grade": "VIP", "fromRow": 1, "toRow": 4}]},
        {"name": "B", "rows": 20, "seatsPerRow": 50, "grade": "S", "origin": {"x": 60, "y": 0}}]})");
    auto stage = api_->expect(201, kSeller, "POST", "/api/v1/halls/" + hall + "/stages",
                              {{"name", "Concert Hall"}, {"layout", layout}});
    EXPECT_EQ(stage.at("seatCount"), 2000);
    const std::string stage_id(stage.at("stageId").as_string());

    auto map = api_->expect(200, kAnonymous, "GET", "/api/v1/stages/" + stage_id + "/seats");
    EXPECT_EQ(map.at("seatCount"), 2000);
    const auto& columns = map.at("columns").as_array();
    ASSERT_EQ(columns.size(), 9u);
    EXPECT_EQ(columns[0], "seatId");
    const auto& seats = map.at("seats").as_array();
    ASSERT_EQ(seats.size(), 2000u);
    EXPECT_EQ(seats[0].as_array()[4], "A-A-1");
    EXPECT_EQ(seats[0].as_array()[7], "VIP");
    EXPECT_EQ(seats[1000].as_array()[4], "B-A-1");
    EXPECT_EQ(seats[1000].as_array()[5].to_number<double>(), 60.0);
    EXPECT_EQ(seats[1999].as_array()[7], "S");

    auto listed = api_->expect(200, kAnonymous, "GET", "/api/v1/halls/" + hall);
    EXPECT_EQ(listed.at("stages").as_array().size(), 1u);
}

TEST_F(ArthallEndToEnd, RefusesInvalidLayoutsNamingTheProblem) {
    const auto hall = create_hall(kAdmin);
    const std::string path = "/api/v1/halls/" + hall + "/stages";
    auto zero = api_->call(
        kAdmin, "POST", path,
        boost::json::value{
            {"name", "S"},
            {"layout",
             boost::json::parse(R"({"sections": [{"name": "A", "rows": 0, "seatsPerRow": 5}]})")}});
    EXPECT_EQ(zero.status, 400);
    EXPECT_NE(zero.body.find("rows"), std::string::npos) << zero.body;
    EXPECT_NE(zero.body.find("INVALID_REQUEST"), std::string::npos);
    auto overlap =
        api_->call(kAdmin, "POST", path,
                   boost::json::value{{"name", "S"}, {"layout", boost::json::parse(R"({"sections": [
        {"name": "A", "rows": 1, "seatsPerRow": 5}, {"name": "A", "rows": 1, "seatsPerRow": 5}]})")}});
    EXPECT_EQ(overlap.status, 400);
    EXPECT_NE(overlap.body.find("overlapping labels"), std::string::npos) << overlap.body;
    auto too_big = api_->call(
        kAdmin, "POST", path,
        boost::json::value{
            {"name", "S"},
            {"layout", boost::json::parse(
                           R"({"sections": [{"name": "A", "rows": 100, "seatsPerRow": 51}]})")}});
    EXPECT_EQ(too_big.status, 400);
    EXPECT_NE(too_big.body.find("maximum 5000"), std::string::npos) << too_big.body;
    EXPECT_EQ(api_->call(kAdmin, "POST", path, boost::json::value{{"name", "S"}}).status, 400);
    EXPECT_EQ(api_->call(kAdmin, "POST", path, std::string("{not json")).status, 400);
    EXPECT_EQ(api_->call(kAdmin, "POST", "/api/v1/halls", boost::json::value{{"name", ""}}).status,
              400);
    EXPECT_EQ(
        api_->call(kAdmin, "POST", "/api/v1/halls", boost::json::value{{"address", "x"}}).status,
        400);
    EXPECT_EQ(
        api_->call(kAdmin, "PATCH", "/api/v1/halls/" + hall, boost::json::value{{"status", "GONE"}})
            .status,
        400);
    EXPECT_EQ(api_->call(kAdmin, "GET", "/api/v1/halls?limit=0").status, 400);
    EXPECT_EQ(api_->call(kAdmin, "GET", "/api/v1/halls?limit=201").status, 400);
    // Nothing was created by the refused requests.
    EXPECT_EQ(
        api_->expect(200, kAdmin, "GET", "/api/v1/halls/" + hall).at("stages").as_array().size(),
        0u);
}

TEST_F(ArthallEndToEnd, RolesAndOwnership) {
    EXPECT_EQ(
        api_->call(kAnonymous, "POST", "/api/v1/halls", boost::json::value{{"name", "x"}}).status,
        401);
    EXPECT_EQ(
        api_->call(kCustomer, "POST", "/api/v1/halls", boost::json::value{{"name", "x"}}).status,
        403);
    const auto hall = create_hall(kSeller);
    auto stage = api_->call(kOtherSeller, "POST", "/api/v1/halls/" + hall + "/stages",
                            boost::json::value{{"name", "S"}, {"layout", thousand_seat_layout()}});
    EXPECT_EQ(stage.status, 403) << stage.body;
    EXPECT_EQ(api_->call(kOtherSeller, "PATCH", "/api/v1/halls/" + hall,
                         boost::json::value{{"name", "Mine"}})
                  .status,
              403);
    EXPECT_EQ(api_->call(kOtherSeller, "DELETE", "/api/v1/halls/" + hall).status, 403);
    auto renamed = api_->expect(200, kAdmin, "PATCH", "/api/v1/halls/" + hall,
                                {{"name", "Renamed"}, {"status", "INACTIVE"}});
    EXPECT_EQ(renamed.at("name"), "Renamed");
    EXPECT_EQ(renamed.at("status"), "INACTIVE");
    EXPECT_EQ(api_->call(kAnonymous, "GET", "/api/v1/halls/hal_missing").status, 404);
}

TEST_F(ArthallEndToEnd, DeletingAHallCascadesToStagesAndSeats) {
    const auto hall = create_hall(kSeller);
    auto stage = api_->expect(201, kSeller, "POST", "/api/v1/halls/" + hall + "/stages",
                              {{"name", "Main"}, {"layout", thousand_seat_layout()}});
    const std::string stage_id(stage.at("stageId").as_string());
    auto map = api_->expect(200, kSeller, "GET", "/api/v1/stages/" + stage_id + "/seats");
    const std::string seat_id(map.at("seats").as_array()[0].as_array()[0].as_string());
    api_->expect(200, kSeller, "PATCH", "/api/v1/seats/" + seat_id, {{"status", "INACTIVE"}});
    EXPECT_EQ(api_->expect(200, kSeller, "GET", "/api/v1/stages/" + stage_id + "/seats")
                  .at("seats")
                  .as_array()[0]
                  .as_array()[8],
              "INACTIVE");

    api_->expect(204, kSeller, "DELETE", "/api/v1/halls/" + hall);
    EXPECT_EQ(api_->call(kSeller, "GET", "/api/v1/halls/" + hall).status, 404);
    EXPECT_EQ(api_->call(kSeller, "GET", "/api/v1/stages/" + stage_id).status, 404);
    EXPECT_EQ(api_->call(kSeller, "GET", "/api/v1/stages/" + stage_id + "/seats").status, 404);
    EXPECT_EQ(api_->call(kSeller, "PATCH", "/api/v1/seats/" + seat_id,
                         boost::json::value{{"status", "ACTIVE"}})
                  .status,
              404);
    EXPECT_EQ(api_->call(kSeller, "DELETE", "/api/v1/halls/" + hall).status, 404);
}

TEST_F(ArthallEndToEnd, DeletingAStageNoProductUsesIsAllowed) {
    const auto hall = create_hall(kSeller);
    auto stage = api_->expect(
        201, kSeller, "POST", "/api/v1/halls/" + hall + "/stages",
        {{"name", "Small"},
         {"layout",
          boost::json::parse(R"({"sections": [{"name": "A", "rows": 2, "seatsPerRow": 3}]})")}});
    const std::string stage_id(stage.at("stageId").as_string());
    api_->expect(204, kSeller, "DELETE", "/api/v1/stages/" + stage_id);
    EXPECT_EQ(api_->call(kSeller, "GET", "/api/v1/stages/" + stage_id).status, 404);
}

// Without the product plugin nobody can say a stage is unused: deleting it fails closed (503) and
// the stage stays, instead of reading "no product plugin" as "not in use".
TEST(ArthallWithoutProduct, DeletingAStageFailsClosed) {
    IsolatedStorage storage;
    auto file =
        write_temp_file("venue.toml", venue_toml({.plugins = {"test_auth", "arthall"}}, &storage));
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
    auto port = admitd.wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd.log();
    Api api(*port);
    auto hall = api.expect(201, kSeller, "POST", "/api/v1/halls",
                           {{"name", "Hall"}, {"address", "Seocho-gu"}});
    auto stage = api.expect(
        201, kSeller, "POST",
        "/api/v1/halls/" + std::string(hall.at("hallId").as_string()) + "/stages",
        {{"name", "Small"},
         {"layout",
          boost::json::parse(R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 2}]})")}});
    const std::string stage_id(stage.at("stageId").as_string());
    auto refused = api.call(kSeller, "DELETE", "/api/v1/stages/" + stage_id);
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(api.call(kSeller, "GET", "/api/v1/stages/" + stage_id).status, 200);
}

// Issue 13 item 8: a seller cannot create halls and stages without end (config bounds, 422).
TEST_F(ArthallEndToEnd, HallsPerSellerAndStagesPerHallAreBounded) {
    const auto small =
        boost::json::parse(R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 2}]})");
    std::vector<std::string> halls;
    for (int i = 0; i < 3; ++i) halls.push_back(create_hall(kSeller, "Hall " + std::to_string(i)));
    auto fourth = api_->call(kSeller, "POST", "/api/v1/halls", boost::json::value{{"name", "4"}});
    EXPECT_EQ(fourth.status, 422) << fourth.body;
    EXPECT_NE(fourth.body.find("LIMIT_EXCEEDED"), std::string::npos) << fourth.body;
    EXPECT_NE(fourth.body.find("max_halls_per_seller"), std::string::npos) << fourth.body;
    // Per seller: another seller still creates; admins are not bounded.
    create_hall(kOtherSeller);
    for (int i = 0; i < 4; ++i) create_hall(kAdmin, "Admin hall " + std::to_string(i));
    // Deleting a hall frees its place.
    EXPECT_EQ(api_->call(kSeller, "DELETE", "/api/v1/halls/" + halls[2]).status, 204);
    create_hall(kSeller, "Hall again");

    const std::string stages = "/api/v1/halls/" + halls[0] + "/stages";
    std::vector<std::string> stage_ids;
    for (int i = 0; i < 2; ++i) {
        auto stage = api_->expect(201, kSeller, "POST", stages,
                                  {{"name", "S" + std::to_string(i)}, {"layout", small}});
        stage_ids.emplace_back(stage.at("stageId").as_string());
    }
    for (const Caller* who : {&kSeller, &kAdmin}) {
        auto third =
            api_->call(*who, "POST", stages, boost::json::value{{"name", "S3"}, {"layout", small}});
        EXPECT_EQ(third.status, 422) << third.body;
        EXPECT_NE(third.body.find("max_stages_per_hall"), std::string::npos) << third.body;
    }
    EXPECT_EQ(api_->call(kSeller, "DELETE", "/api/v1/stages/" + stage_ids[0]).status, 204);
    api_->expect(201, kSeller, "POST", stages, {{"name", "S3"}, {"layout", small}});
    // Concurrent creates cannot pass the bound: 6 at once into a hall with room for 1.
    std::vector<std::thread> racers;
    std::atomic<int> created{0};
    const std::string other = "/api/v1/halls/" + halls[1] + "/stages";
    api_->expect(201, kSeller, "POST", other, {{"name", "first"}, {"layout", small}});
    for (int i = 0; i < 6; ++i) {
        racers.emplace_back([&, i] {
            auto r = api_->call(
                kSeller, "POST", other,
                boost::json::value{{"name", "R" + std::to_string(i)}, {"layout", small}});
            if (r.status == 201) ++created;
        });
    }
    for (auto& t : racers) t.join();
    EXPECT_EQ(created.load(), 1);
    auto listed = api_->expect(200, kAnonymous, "GET", other);
    EXPECT_EQ(listed.at("items").as_array().size(), 2u);
}

TEST_F(ArthallEndToEnd, ListsHallsPageByPage) {
    for (int i = 0; i < 5; ++i) create_hall(kAdmin, "Hall " + std::to_string(i));
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        auto r =
            api_->expect(200, kAnonymous, "GET",
                         "/api/v1/halls?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        for (const auto& item : r.at("items").as_array())
            seen.emplace_back(item.at("name").as_string());
        if (r.at("nextCursor").is_null()) break;
        cursor = std::string(r.at("nextCursor").as_string());
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"Hall 0", "Hall 1", "Hall 2", "Hall 3", "Hall 4"}));
}

}  // namespace
}  // namespace admit::testing::catalog
