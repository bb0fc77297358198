// Rows and RedisReply value types, and SQL parameter conversion.
#include <admit/sdk.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

admit::sdk::Rows sample() {
    admit::sdk::Rows rows;
    rows.columns = {"id", "count", "price", "active", "note"};
    rows.values.push_back({"r1", "42", "12.5", "t", std::nullopt});
    rows.values.push_back({"r2", "x", "abc", "f", "hi"});
    rows.affected = 2;
    return rows;
}

TEST(Rows, ColumnAccessByNameAndIndex) {
    const auto rows = sample();
    ASSERT_EQ(rows.size(), 2u);
    const auto first = rows.front();
    EXPECT_EQ(*first["id"], "r1");
    EXPECT_EQ(first[1], "42");
    EXPECT_EQ(first.int64("count"), 42);
    EXPECT_EQ(first.real("price"), 12.5);
    EXPECT_EQ(first.boolean("active"), true);
    EXPECT_TRUE(first.is_null("note"));
    EXPECT_EQ(first.text("note", "none"), "none");
    // An unknown column is an error value naming it (the typed accessors throw: a bug).
    const auto missing = first["nope"];
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().is_invalid());
    EXPECT_NE(missing.error().message.find("'nope'"), std::string::npos);
    EXPECT_THROW((void)first.text("nope"), std::out_of_range);

    const auto second = rows[1];
    EXPECT_EQ(second.int64("count"), std::nullopt);
    EXPECT_EQ(second.real("price"), std::nullopt);
    EXPECT_EQ(second.boolean("active"), false);

    int seen = 0;
    for (auto row : rows) {
        EXPECT_FALSE(row.text("id").empty());
        ++seen;
    }
    EXPECT_EQ(seen, 2);
}

TEST(SqlParams, ConvertToTextOrNull) {
    using admit::sdk::detail::to_param;
    EXPECT_EQ(to_param("abc"), "abc");
    EXPECT_EQ(to_param(std::string("s")), "s");
    EXPECT_EQ(to_param(int64_t{-5}), "-5");
    EXPECT_EQ(to_param(7u), "7");
    EXPECT_EQ(to_param(true), "true");
    EXPECT_EQ(to_param(2.5), "2.5");
    EXPECT_EQ(to_param(nullptr), std::nullopt);
    EXPECT_EQ(to_param(std::optional<int>{}), std::nullopt);
    EXPECT_EQ(to_param(std::optional<int>{3}), "3");
    EXPECT_EQ(to_param(boost::json::value{{"a", 1}}), R"({"a":1})");
}

TEST(RedisReply, CopiesTheWholeTree) {
    const std::string binary("a\0b", 3);
    admit_redis_reply children[2] = {
        {sizeof(admit_redis_reply), ADMIT_REDIS_STRING, 0, admit::sdk::to_abi(binary), nullptr, 0},
        {sizeof(admit_redis_reply), ADMIT_REDIS_INTEGER, 9, {nullptr, 0}, nullptr, 0}};
    const admit_redis_reply* elements[2] = {&children[0], &children[1]};
    admit_redis_reply root{
        sizeof(admit_redis_reply), ADMIT_REDIS_ARRAY, 0, {nullptr, 0}, elements, 2};
    auto copy = admit::sdk::RedisReply::copy(root);
    EXPECT_EQ(copy.type, admit::sdk::RedisReply::Type::array);
    ASSERT_EQ(copy.elements.size(), 2u);
    EXPECT_EQ(copy.elements[0].str, binary);
    EXPECT_EQ(copy.elements[1].integer, 9);
}

}  // namespace
