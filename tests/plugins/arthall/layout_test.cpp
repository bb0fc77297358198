// Layout generation: sizes, labels, coordinates, grades per block, gaps, and every refusal.
#include "plugins/arthall/src/layout.hpp"

#include <gtest/gtest.h>

#include <set>

namespace admit::arthall {
namespace {

boost::json::value parse(const char* text) { return boost::json::parse(text); }

std::string error_of(const char* layout, int64_t max_seats = 20000) {
    auto result = generate_layout(parse(layout), max_seats);
    EXPECT_FALSE(result.ok()) << layout;
    if (result.ok()) return {};
    EXPECT_EQ(result.error().status, ADMIT_E_INVALID_ARGUMENT);
    return result.error().message;
}

TEST(Layout, GeneratesATwoThousandSeatHall) {
    auto seats = generate_layout(parse(R"({"sections": [
        {"name": "A", "rows": 20, "seatsPerRow": 50, "grade": "R",
         "gradeBlocks": [{"grade": "VIP", "fromRow": 1, "toRow": 5}], "aisleAfter": [25]},
        {"name": "B", "rows": 20, "seatsPerRow": 50, "rowLabels": "numbers", "origin": {"x": 100, "y": 0},
         "spacing": {"x": 0.5, "y": 2}, "grade": "S"}]})"),
                                 20000);
    ASSERT_TRUE(seats.ok()) << seats.error().message;
    ASSERT_EQ(seats->size(), 2000u);
    std::set<std::string> labels;
    for (const auto& s : *seats) labels.insert(s.label);
    EXPECT_EQ(labels.size(), 2000u);

    const auto& first = (*seats)[0];
    EXPECT_EQ(first.label, "A-A-1");
    EXPECT_EQ(first.section, "A");
    EXPECT_EQ(first.row, "A");
    EXPECT_EQ(first.number, 1);
    EXPECT_DOUBLE_EQ(first.x, 0);
    EXPECT_DOUBLE_EQ(first.y, 0);
    EXPECT_EQ(first.grade, "VIP");
    // Seat 26 sits after the aisle: one seat width further right.
    EXPECT_DOUBLE_EQ((*seats)[25].x, 26);
    EXPECT_DOUBLE_EQ((*seats)[24].x, 24);
    // Row 6 (F) is past the VIP block.
    EXPECT_EQ((*seats)[5 * 50].row, "F");
    EXPECT_EQ((*seats)[5 * 50].grade, "R");
    EXPECT_EQ((*seats)[4 * 50].grade, "VIP");

    const auto& b = (*seats)[1000 + 50 * 3 + 9];  // section B, row 4, seat 10
    EXPECT_EQ(b.label, "B-4-10");
    EXPECT_DOUBLE_EQ(b.x, 100 + 9 * 0.5);
    EXPECT_DOUBLE_EQ(b.y, 3 * 2);
    EXPECT_EQ(b.grade, "S");
}

TEST(Layout, RowLettersContinuePastZ) {
    EXPECT_EQ(letter_label(0), "A");
    EXPECT_EQ(letter_label(25), "Z");
    EXPECT_EQ(letter_label(26), "AA");
    EXPECT_EQ(letter_label(27), "AB");
    EXPECT_EQ(letter_label(52), "BA");
}

TEST(Layout, FirstSeatNumberAndDefaultGrade) {
    auto seats = generate_layout(
        parse(
            R"({"sections": [{"name": "C", "rows": 1, "seatsPerRow": 3, "firstSeatNumber": 101}]})"),
        10);
    ASSERT_TRUE(seats.ok());
    EXPECT_EQ((*seats)[2].label, "C-A-103");
    EXPECT_EQ((*seats)[2].grade, "GENERAL");
}

TEST(Layout, RefusesZeroRows) {
    EXPECT_NE(error_of(R"({"sections": [{"name": "A", "rows": 0, "seatsPerRow": 10}]})")
                  .find("layout.sections[0]: field 'rows'"),
              std::string::npos);
}

TEST(Layout, RefusesOverlappingLabels) {
    auto message = error_of(R"({"sections": [{"name": "A", "rows": 2, "seatsPerRow": 10},
                                             {"name": "A", "rows": 1, "seatsPerRow": 5, "origin": {"x": 50, "y": 50}}]})");
    EXPECT_NE(message.find("overlapping labels"), std::string::npos) << message;
    EXPECT_NE(message.find("A-A-1"), std::string::npos) << message;
    EXPECT_NE(message.find("layout.sections[1]"), std::string::npos) << message;
}

TEST(Layout, RefusesMoreThanTheMaximum) {
    auto message =
        error_of(R"({"sections": [{"name": "A", "rows": 100, "seatsPerRow": 101}]})", 10000);
    EXPECT_NE(message.find("10100 seats"), std::string::npos) << message;
    EXPECT_NE(message.find("maximum 10000"), std::string::npos) << message;
}

TEST(Layout, NamesEveryOtherProblem) {
    EXPECT_NE(error_of("[]").find("'layout'"), std::string::npos);
    EXPECT_NE(error_of(R"({"sections": []})").find("layout.sections"), std::string::npos);
    EXPECT_NE(error_of(R"({"sections": [5]})").find("layout.sections[0] must be an object"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"sections": [{"rows": 1, "seatsPerRow": 1}]})").find("'name' is required"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"sections": [{"name": "A-1", "rows": 1, "seatsPerRow": 1}]})")
                  .find("sections[0].name"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 501}]})")
                  .find("'seatsPerRow'"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 1, "rowLabels": "roman"}]})")
            .find("rowLabels"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 1, "spacing": {"x": 0}}]})")
            .find("spacing.x"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 1, "origin": {"x": "left"}}]})")
            .find("origin.x"),
        std::string::npos);
    EXPECT_NE(
        error_of(R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 1, "aisleAfter": "5"}]})")
            .find("aisleAfter"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"sections": [{"name": "A", "rows": 3, "seatsPerRow": 1,
                        "gradeBlocks": [{"grade": "VIP", "fromRow": 2, "toRow": 4}]}]})")
                  .find("gradeBlocks[0]: field 'toRow'"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"sections": [{"name": "A", "rows": 1, "seatsPerRow": 1, "grade": ""}]})")
                  .find("sections[0].grade"),
              std::string::npos);
}

}  // namespace
}  // namespace admit::arthall
