// JSON body validation helpers: every failure names the field and is INVALID_ARGUMENT.
#include <admit/sdk/json_fields.hpp>

#include <gtest/gtest.h>

namespace {

namespace fields = admit::sdk::fields;

boost::json::object body() {
    return boost::json::parse(
               R"({"name":"Ada","empty":"","count":3,"big":12345678901,"neg":-2,"ratio":1.5,
                                   "flag":true,"tags":["a","b"],"mixed":["a",1],"nested":{"x":1},"nothing":null})")
        .as_object();
}

void expect_invalid(const admit::sdk::Error& error, const std::string& fragment) {
    EXPECT_EQ(error.status, ADMIT_E_INVALID_ARGUMENT);
    EXPECT_NE(error.message.find(fragment), std::string::npos) << error.message;
}

TEST(Fields, RequiredString) {
    const auto b = body();
    EXPECT_EQ(*fields::required_string(b, "name"), "Ada");
    expect_invalid(fields::required_string(b, "missing").error(), "field 'missing' is required");
    expect_invalid(fields::required_string(b, "nothing").error(), "field 'nothing' is required");
    expect_invalid(fields::required_string(b, "count").error(), "field 'count' must be a string");
    expect_invalid(fields::required_string(b, "empty").error(), "field 'empty' must not be empty");
}

TEST(Fields, OptionalString) {
    const auto b = body();
    EXPECT_EQ(fields::optional_string(b, "name")->value(), "Ada");
    EXPECT_FALSE(fields::optional_string(b, "missing")->has_value());
    EXPECT_FALSE(fields::optional_string(b, "nothing")->has_value());
    expect_invalid(fields::optional_string(b, "flag").error(), "field 'flag' must be a string");
}

TEST(Fields, Integers) {
    const auto b = body();
    EXPECT_EQ(*fields::required_int(b, "count"), 3);
    EXPECT_EQ(*fields::required_int(b, "big"), 12345678901);
    EXPECT_EQ(*fields::required_int(b, "neg"), -2);
    expect_invalid(fields::required_int(b, "ratio").error(), "field 'ratio' must be an integer");
    expect_invalid(fields::required_int(b, "name").error(), "field 'name' must be an integer");
    expect_invalid(fields::required_int(b, "count", 5, 10).error(),
                   "field 'count' must be between 5 and 10");
    expect_invalid(fields::required_int(b, "missing").error(), "field 'missing' is required");
    EXPECT_FALSE(fields::optional_int(b, "missing")->has_value());
    EXPECT_EQ(fields::optional_int(b, "count")->value(), 3);
    expect_invalid(fields::optional_int(b, "neg", 0, 10).error(), "field 'neg'");
}

TEST(Fields, BoolArraysAndObjects) {
    const auto b = body();
    EXPECT_TRUE(*fields::required_bool(b, "flag"));
    expect_invalid(fields::required_bool(b, "count").error(),
                   "field 'count' must be true or false");
    EXPECT_EQ(fields::required_string_array(b, "tags")->size(), 2u);
    expect_invalid(fields::required_string_array(b, "mixed").error(), "field 'mixed'");
    EXPECT_EQ(fields::required_object(b, "nested")->at("x"), 1);
    expect_invalid(fields::required_object(b, "tags").error(), "field 'tags' must be an object");
}

TEST(Fields, ParseJsonNamesWhatWasParsed) {
    auto bad = admit::sdk::parse_json("{", "service input");
    ASSERT_FALSE(bad.ok());
    expect_invalid(bad.error(), "service input is not valid JSON");
}

}  // namespace
