#include "host/policy/json_lua.hpp"
#include "host/policy/policy_call.hpp"
#include "host/policy/sandbox.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace admit::policy {
namespace {

// Round-trips input through a policy that returns input.value inside a table.
std::string echo(const std::string& input_json) {
    auto sandbox = Sandbox::create(system_clock());
    EXPECT_TRUE(sandbox.ok());
    auto loaded = load_policy(
        *sandbox.value(), "echo.lua",
        "fallback = {}\nfunction decide(input) return { value = input.value } end", Limits{});
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    auto decision = call_decide(*sandbox.value(), loaded.value().decide_ref,
                                boost::json::parse(input_json), Limits{});
    if (!decision.ok()) return "error: " + decision.error().message;
    return decision.value();
}

TEST(JsonLua, IntegersStayIntegers) {
    EXPECT_EQ(echo(R"({"value": 9007199254740993})"), R"({"value":9007199254740993})");
    EXPECT_EQ(echo(R"({"value": -5})"), R"({"value":-5})");
}

TEST(JsonLua, FloatsStayFloatsUnlessIntegral) {
    EXPECT_EQ(echo(R"({"value": 1.5})"), R"({"value":1.5})");
    EXPECT_EQ(echo(R"({"value": 2.0})"), R"({"value":2})");
}

TEST(JsonLua, ArraysAndObjectsKeepTheirShape) {
    EXPECT_EQ(echo(R"({"value": []})"), R"({"value":[]})");
    EXPECT_EQ(echo(R"({"value": {}})"), R"({"value":{}})");
    EXPECT_EQ(echo(R"({"value": [1, null, "a"]})"), R"({"value":[1,null,"a"]})");
    EXPECT_EQ(echo(R"({"value": {"a": [true, false], "b": {"c": "d"}}})"),
              R"({"value":{"a":[true,false],"b":{"c":"d"}}})");
}

TEST(JsonLua, NullMembersAreAbsent) {
    EXPECT_EQ(echo(R"({"value": {"a": null, "b": 1}})"), R"({"value":{"b":1}})");
}

TEST(JsonLua, UnrepresentableDecisionsAreErrors) {
    auto sandbox = Sandbox::create(system_clock());
    ASSERT_TRUE(sandbox.ok());
    auto loaded = load_policy(*sandbox.value(), "bad.lua",
                              "fallback = {}\n"
                              "function decide(input)\n"
                              "  if input.kind == 'function' then return { f = type } end\n"
                              "  local t = {} t.self = t return t\n"
                              "end",
                              Limits{});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    auto function = call_decide(*sandbox.value(), loaded.value().decide_ref,
                                boost::json::parse(R"({"kind":"function"})"), Limits{});
    ASSERT_FALSE(function.ok());
    EXPECT_NE(function.error().message.find("cannot become JSON"), std::string::npos);
    auto cycle = call_decide(*sandbox.value(), loaded.value().decide_ref,
                             boost::json::parse(R"({})"), Limits{});
    ASSERT_FALSE(cycle.ok());
    EXPECT_NE(cycle.error().message.find("refers to itself"), std::string::npos);
}

}  // namespace
}  // namespace admit::policy

namespace admit::policy {
namespace {

TEST(JsonLua, StringsAreEscapedAndKeysSorted) {
    EXPECT_EQ(echo(R"({"value": {"b": "q\"uote\\ \n\u0001", "a": "héllo"}})"),
              R"({"value":{"a":"héllo","b":"q\"uote\\ \n\u0001"}})");
}

}  // namespace
}  // namespace admit::policy
