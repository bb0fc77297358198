// The product state machine (every legal and illegal move), body validation, seat assignment
// to grades, and RFC 3339 handling.
#include "plugins/product/src/lifecycle.hpp"
#include "plugins/product/src/product_input.hpp"

#include <gtest/gtest.h>

#include <map>

namespace admit::product {
namespace {

const Move kMoves[] = {Move::submit,    Move::approve,    Move::reject,  Move::cancel,
                       Move::open_sale, Move::close_sale, Move::complete};

TEST(Lifecycle, OnlyTheLegalMovesAreAccepted) {
    const std::map<std::pair<std::string_view, Move>, std::string_view> legal = {
        {{"DRAFT", Move::submit}, "PENDING"},      {{"PENDING", Move::approve}, "SCHEDULED"},
        {{"PENDING", Move::reject}, "DRAFT"},      {{"SCHEDULED", Move::open_sale}, "ON_SALE"},
        {{"ON_SALE", Move::close_sale}, "CLOSED"}, {{"CLOSED", Move::complete}, "COMPLETED"},
        {{"DRAFT", Move::cancel}, "CANCELLED"},    {{"PENDING", Move::cancel}, "CANCELLED"},
        {{"APPROVED", Move::cancel}, "CANCELLED"}, {{"SCHEDULED", Move::cancel}, "CANCELLED"},
        {{"ON_SALE", Move::cancel}, "CANCELLED"},  {{"CLOSED", Move::cancel}, "CANCELLED"},
    };
    int illegal = 0;
    for (auto state : kStates) {
        for (auto move : kMoves) {
            auto it = legal.find({state, move});
            auto next = next_state(state, move);
            if (it == legal.end()) {
                EXPECT_FALSE(next.has_value())
                    << state << " --" << move_name(move) << "--> " << next.value_or("");
                ++illegal;
            } else {
                ASSERT_TRUE(next.has_value()) << state << " " << move_name(move);
                EXPECT_EQ(*next, it->second);
            }
        }
    }
    EXPECT_EQ(illegal, 8 * 7 - 12);
    EXPECT_FALSE(next_state("BOGUS", Move::cancel).has_value());
}

TEST(Lifecycle, StageUseAndVisibility) {
    EXPECT_FALSE(uses_stage("DRAFT"));
    EXPECT_TRUE(uses_stage("PENDING"));
    EXPECT_TRUE(uses_stage("ON_SALE"));
    EXPECT_FALSE(uses_stage("CANCELLED"));
    EXPECT_FALSE(uses_stage("COMPLETED"));
    EXPECT_FALSE(publicly_visible("DRAFT"));
    EXPECT_FALSE(publicly_visible("PENDING"));
    EXPECT_TRUE(publicly_visible("SCHEDULED"));
    EXPECT_TRUE(publicly_visible("ON_SALE"));
}

TEST(Rfc3339, ParsesAndFormats) {
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339("2026-05-01T19:30:00Z"), int64_t{1777663800} * 1000000);
    EXPECT_EQ(parse_rfc3339("2026-05-01T21:30:00+02:00"), int64_t{1777663800} * 1000000);
    EXPECT_EQ(parse_rfc3339("2026-05-01T19:30:00.25Z"), int64_t{1777663800} * 1000000 + 250000);
    EXPECT_FALSE(parse_rfc3339("2026-05-01 19:30:00").has_value());
    EXPECT_FALSE(parse_rfc3339("2026-13-01T19:30:00Z").has_value());
    EXPECT_FALSE(parse_rfc3339("tomorrow").has_value());
    EXPECT_EQ(format_rfc3339(int64_t{1777663800} * 1000000), "2026-05-01T19:30:00Z");
}

boost::json::object body(const char* text) { return boost::json::parse(text).as_object(); }

constexpr const char* kValid = R"({"title": "Swan Lake", "category": "BALLET", "stageId": "stg_1",
    "saleStartsAt": "2026-05-01T00:00:00Z", "saleEndsAt": "2026-06-01T00:00:00Z",
    "grades": [{"name": "VIP", "price": {"amount": 150000, "currency": "KRW"}}],
    "schedules": [{"startsAt": "2026-06-02T19:00:00Z"}]})";

TEST(ProductInput, AcceptsAValidBody) {
    auto in = parse_product(body(kValid), true, "KRW");
    ASSERT_TRUE(in.ok()) << in.error().message;
    EXPECT_EQ(*in->title, "Swan Lake");
    EXPECT_EQ(*in->seating, "RESERVED");
    EXPECT_EQ((*in->grades)[0].stage_grade, "VIP");
    EXPECT_EQ(in->schedules.size(), 1u);
    EXPECT_EQ(in->schedules[0].duration_minutes, 120);
}

std::string problem(const std::string& patch_key, const char* patch_value, bool for_create = true) {
    auto b = body(kValid);
    if (patch_value == nullptr)
        b.erase(patch_key);
    else
        b[patch_key] = boost::json::parse(patch_value);
    auto in = parse_product(b, for_create, "KRW");
    EXPECT_FALSE(in.ok()) << patch_key;
    return in.ok() ? "" : in.error().message;
}

TEST(ProductInput, NamesTheFieldOfEveryProblem) {
    EXPECT_NE(problem("title", nullptr).find("'title' is required"), std::string::npos);
    EXPECT_NE(problem("title", "\"\"").find("'title'"), std::string::npos);
    EXPECT_NE(problem("category", "5").find("'category'"), std::string::npos);
    EXPECT_NE(problem("stageId", nullptr).find("'stageId'"), std::string::npos);
    EXPECT_NE(problem("seating", "\"STANDING\"").find("'seating'"), std::string::npos);
    EXPECT_NE(problem("saleStartsAt", "\"soon\"").find("'saleStartsAt'"), std::string::npos);
    EXPECT_NE(problem("saleEndsAt", "\"2026-04-01T00:00:00Z\"").find("'saleEndsAt'"),
              std::string::npos);
    EXPECT_NE(problem("grades", "[]").find("'grades'"), std::string::npos);
    EXPECT_NE(problem("grades", R"([{"name": "VIP"}])").find("grades[0]: field 'price'"),
              std::string::npos);
    EXPECT_NE(problem("grades", R"([{"name": "VIP", "price": {"amount": -1, "currency": "KRW"}}])")
                  .find("grades[0].price"),
              std::string::npos);
    EXPECT_NE(problem("grades", R"([{"name": "VIP", "price": {"amount": 1, "currency": "USD"}}])")
                  .find("currency"),
              std::string::npos);
    EXPECT_NE(problem("grades", R"([{"name": "VIP", "price": {"amount": 1, "currency": "KRW"}},
                                   {"name": "VIP", "price": {"amount": 2, "currency": "KRW"}}])")
                  .find("grades[1].name"),
              std::string::npos);
    EXPECT_NE(
        problem("grades",
                R"([{"name": "VIP", "price": {"amount": 1, "currency": "KRW"}, "quantity": 5}])")
            .find("grades[0].quantity"),
        std::string::npos);
    EXPECT_NE(problem("schedules", R"([{"startsAt": "x"}])").find("schedules[0]"),
              std::string::npos);
    EXPECT_NE(
        problem("schedules", R"([{"startsAt": "2026-06-02T19:00:00Z", "durationMinutes": 0}])")
            .find("durationMinutes"),
        std::string::npos);
    EXPECT_NE(problem("stageId", "\"stg_2\"", false).find("'stageId' cannot change"),
              std::string::npos);
}

TEST(ProductInput, GeneralAdmissionNeedsQuantities) {
    auto b = body(kValid);
    b["seating"] = "GENERAL_ADMISSION";
    auto in = parse_product(b, true, "KRW");
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.error().message.find("grades[0].quantity"), std::string::npos);
    b["grades"] = boost::json::parse(
        R"([{"name": "FLOOR", "price": {"amount": 1, "currency": "KRW"}, "quantity": 500}])");
    EXPECT_TRUE(parse_product(b, true, "KRW").ok());
}

std::vector<StageSeat> stage() {
    return {{"s1", "A-A-1", 0, 0, "VIP"},
            {"s2", "A-A-2", 1, 0, "VIP"},
            {"s3", "A-B-1", 0, 1, "R"},
            {"s4", "A-B-2", 1, 1, "R"}};
}

GradeInput grade(std::string name, std::optional<std::vector<std::string>> ids = std::nullopt) {
    GradeInput g;
    g.name = name;
    g.stage_grade = name;
    g.seat_ids = std::move(ids);
    return g;
}

TEST(AssignSeats, ByLayoutGradeWithExplicitOverrides) {
    auto out = assign_seats(
        {grade("VIP"), grade("R"), grade("PROMO", std::vector<std::string>{"s4"})}, stage());
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ((*out)[0], (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ((*out)[1], (std::vector<std::size_t>{2}));
    EXPECT_EQ((*out)[2], (std::vector<std::size_t>{3}));
}

TEST(AssignSeats, RefusesUnknownSharedAndEmpty) {
    auto unknown = assign_seats({grade("VIP", std::vector<std::string>{"nope"})}, stage());
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("grades[0].seatIds"), std::string::npos);
    auto shared = assign_seats(
        {grade("A", std::vector<std::string>{"s1"}), grade("B", std::vector<std::string>{"s1"})},
        stage());
    ASSERT_FALSE(shared.ok());
    EXPECT_NE(shared.error().message.find("already belongs to grade A"), std::string::npos);
    auto empty = assign_seats({grade("VIP"), grade("BALCONY")}, stage());
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("grades[1]"), std::string::npos);
}

}  // namespace
}  // namespace admit::product
