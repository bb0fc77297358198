// JsonSchema: what route contracts compile and how violations are named (the 400 messages).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "host/pipeline/json_schema.hpp"

namespace admit::runtime {
namespace {

JsonSchema compiled(std::string_view text) {
    auto schema = JsonSchema::compile(boost::json::parse(text));
    EXPECT_TRUE(schema.ok()) << (schema.ok() ? "" : schema.error().message);
    return std::move(*schema);
}

std::string violation(const JsonSchema& schema, std::string_view value) {
    return schema.validate(boost::json::parse(value), "body").value_or("");
}

TEST(JsonSchema, RefusesUnknownKeywordsSoATypoCannotDisableValidation) {
    auto typo = JsonSchema::compile(boost::json::parse(
        R"({"type": "object", "properties": {"a": {"type": "string", "maxLenght": 3}}})"));
    ASSERT_FALSE(typo.ok());
    EXPECT_NE(typo.error().message.find("/properties/a"), std::string::npos)
        << typo.error().message;
    EXPECT_NE(typo.error().message.find("maxLenght"), std::string::npos) << typo.error().message;
    EXPECT_FALSE(JsonSchema::compile(boost::json::parse(R"({"$ref": "#/x"})")).ok());
    EXPECT_FALSE(JsonSchema::compile(boost::json::parse(R"({"type": "text"})")).ok());
    EXPECT_FALSE(JsonSchema::compile(boost::json::parse(R"({"minLength": -1})")).ok());
    EXPECT_FALSE(JsonSchema::compile(boost::json::parse(R"({"enum": []})")).ok());
    EXPECT_FALSE(JsonSchema::compile(boost::json::parse("[]")).ok());
}

TEST(JsonSchema, APatternNeedsABoundedSubjectAndAValidExpression) {
    auto unbounded = JsonSchema::compile(boost::json::parse(R"({"pattern": "^a+$"})"));
    ASSERT_FALSE(unbounded.ok());
    EXPECT_NE(unbounded.error().message.find("maxLength"), std::string::npos);
    EXPECT_FALSE(
        JsonSchema::compile(boost::json::parse(R"({"pattern": "([a", "maxLength": 10})")).ok());
    auto code = compiled(R"({"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3})");
    EXPECT_EQ(violation(code, R"("KRW")"), "");
    EXPECT_EQ(violation(code, R"("krw")"), "body: must match the pattern ^[A-Z]{3}$");
    EXPECT_EQ(violation(code, R"("KRWX")"), "body: must be at most 3 characters long");
}

TEST(JsonSchema, NamesTheFieldAndTheProblem) {
    auto schema = compiled(R"({"type": "object", "required": ["scheduleId"], "properties": {
        "scheduleId": {"type": "string", "minLength": 1},
        "seatIds": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
        "quantity": {"type": ["integer", "null"], "minimum": 1, "maximum": 8},
        "mode": {"enum": ["A", "B"]},
        "nested": {"type": "object", "additionalProperties": false,
                   "properties": {"x": {"type": "boolean"}}}}})");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s"})"), "");
    EXPECT_EQ(violation(schema, "{}"), "body.scheduleId: is required");
    EXPECT_EQ(violation(schema, "[]"), "body: must be an object (got an array)");
    EXPECT_EQ(violation(schema, R"({"scheduleId": 7})"),
              "body.scheduleId: must be a string (got an integer)");
    EXPECT_EQ(violation(schema, R"({"scheduleId": ""})"),
              "body.scheduleId: must be at least 1 characters long");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "seatIds": ["a", 2]})"),
              "body.seatIds[1]: must be a string (got an integer)");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "seatIds": ["a", "b", "c"]})"),
              "body.seatIds: must have at most 2 items");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "quantity": null})"), "");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "quantity": 9})"),
              "body.quantity: must be at most 8");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "quantity": 1.5})"),
              "body.quantity: must be an integer or null (got a number)");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "mode": "C"})"),
              R"(body.mode: must be one of "A", "B")");
    EXPECT_EQ(violation(schema, R"({"scheduleId": "s", "nested": {"y": 1}})"),
              "body.nested.y: is not a known field");
}

TEST(JsonSchema, CountsCharactersNotBytesAndChecksDateTimes) {
    auto name = compiled(R"({"type": "string", "maxLength": 3})");
    EXPECT_EQ(violation(name, "\"\xEC\x84\x9C\xEC\x9A\xB8\xEC\x8B\x9C\""), "");  // 3 Hangul
    auto time = compiled(R"({"type": "string", "format": "date-time"})");
    EXPECT_EQ(violation(time, R"("2026-12-05T19:00:00Z")"), "");
    EXPECT_EQ(violation(time, R"("2026-12-05T19:00:00.125+09:00")"), "");
    EXPECT_NE(violation(time, R"("tomorrow")"), "");
}

TEST(JsonSchema, CombinatorsAndUniqueItems) {
    auto either = compiled(R"({"oneOf": [{"type": "string"}, {"type": "integer"}]})");
    EXPECT_EQ(violation(either, "1"), "");
    EXPECT_NE(violation(either, "true"), "");
    auto overlapping = compiled(R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})");
    EXPECT_EQ(violation(overlapping, "1"), "body: matches more than one allowed form");
    auto any = compiled(R"({"anyOf": [{"type": "number"}, {"type": "integer"}]})");
    EXPECT_EQ(violation(any, "1"), "");
    auto unique = compiled(R"({"type": "array", "uniqueItems": true})");
    EXPECT_EQ(violation(unique, R"(["a", "b", "a"])"), "body[2]: repeats body[0]");
}

}  // namespace
}  // namespace admit::runtime
