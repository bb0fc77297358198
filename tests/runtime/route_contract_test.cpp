// RouteContract: parsing a route's contract and checking query strings and bodies with it.
#include <gtest/gtest.h>

#include "host/pipeline/route_contract.hpp"
#include "host/pipeline/route_table.hpp"

namespace admit::runtime {
namespace {

constexpr std::string_view kList = R"({
  "query": {"type": "object", "required": ["scheduleId"], "properties": {
    "scheduleId": {"type": "string", "minLength": 1},
    "limit": {"type": "integer", "minimum": 1, "maximum": 200},
    "live": {"type": "boolean"}}},
  "response": {"status": 200, "description": "a page", "schema": {"type": "object",
    "required": ["items"], "properties": {"items": {"type": "array"}}}},
  "errors": {"404": ["NOT_FOUND"]}})";

TEST(RouteContract, ReadsQueryValuesAsTheirDeclaredTypes) {
    auto contract = parse_route_contract("listThings", kList, true);
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    EXPECT_EQ(contract->check_query("scheduleId=s1&limit=50&live=true"), std::nullopt);
    EXPECT_EQ(contract->check_query("scheduleId=s%201&other=whatever"), std::nullopt);
    EXPECT_EQ(contract->check_query("limit=50").value_or(""),
              "query parameter scheduleId: is required");
    EXPECT_EQ(contract->check_query("scheduleId=s&limit=500").value_or(""),
              "query parameter limit: must be at most 200");
    EXPECT_EQ(contract->check_query("scheduleId=s&limit=ten").value_or(""),
              "query parameter limit: must be an integer (got a string)");
    EXPECT_EQ(contract->check_query("scheduleId=s&live=yes").value_or(""),
              "query parameter live: must be a boolean (got a string)");
    // The first occurrence counts, as for handlers.
    EXPECT_EQ(contract->check_query("scheduleId=s&limit=5&limit=999"), std::nullopt);
}

TEST(RouteContract, ChecksSuccessResponsesAgainstTheDocumentedSchema) {
    auto contract = parse_route_contract("listThings", kList, true);
    ASSERT_TRUE(contract.ok());
    EXPECT_EQ(contract->check_response(R"({"items": []})"), std::nullopt);
    EXPECT_EQ(contract->check_response(R"({"things": []})").value_or(""),
              "response.items: is required");
    EXPECT_EQ(contract->errors.at(404), std::vector<std::string>{"NOT_FOUND"});
    EXPECT_TRUE(contract->documents_status(200));
    EXPECT_FALSE(contract->documents_status(201));
    auto both = parse_route_contract(
        "joinThing", R"({"response": {"status": 201, "otherStatuses": [200]}})", true);
    ASSERT_TRUE(both.ok()) << both.error().message;
    EXPECT_TRUE(both->documents_status(200) && both->documents_status(201));
    EXPECT_FALSE(parse_route_contract("", R"({"response": {"otherStatuses": [404]}})", true).ok());
}

TEST(RouteContract, ABodyThatIsNotJsonIsNamedAsSuch) {
    auto contract =
        parse_route_contract("", R"({"request": {"type": "object", "required": ["a"]}})", true);
    ASSERT_TRUE(contract.ok());
    EXPECT_EQ(contract->check_body(R"({"a": 1})"), std::nullopt);
    EXPECT_EQ(contract->check_body("").value_or("").rfind("body: not valid JSON", 0), 0u);
    EXPECT_EQ(contract->check_body("{}").value_or(""), "body.a: is required");
}

TEST(RouteContract, RefusesMalformedContractsNamingTheMember) {
    auto refused = [](std::string_view id, std::string_view text, bool allow_request = true) {
        auto c = parse_route_contract(id, text, allow_request);
        return c.ok() ? std::string("accepted") : c.error().message;
    };
    EXPECT_NE(refused("", R"({"respones": {}})").find("unknown member \"respones\""),
              std::string::npos);
    EXPECT_NE(refused("", R"({"response": {"status": 404}})").find("2xx"), std::string::npos);
    EXPECT_EQ(refused("goToApp", R"({"response": {"status": 302}})"), "accepted");
    EXPECT_NE(refused("", R"({"errors": {"200": ["X"]}})").find("4xx or 5xx"), std::string::npos);
    EXPECT_NE(refused("", R"({"errors": {"404": []}})").find("must list error codes"),
              std::string::npos);
    EXPECT_NE(refused("", R"({"query": {"type": "string"}})").find("object schema"),
              std::string::npos);
    EXPECT_NE(refused("", R"({"request": {"type": "object"}})", false).find("no request body"),
              std::string::npos);
    EXPECT_NE(refused("get-thing", "").find("operationId"), std::string::npos);
    EXPECT_NE(refused("", "{not json").find("not a JSON object"), std::string::npos);
    EXPECT_EQ(refused("getThing", ""), "accepted");
}

TEST(RouteContract, TheRouteTableRefusesAnOperationIdTwice) {
    RouteTable table;
    auto entry = [](std::string path, std::string_view id) {
        RouteEntry e;
        e.kind = RouteEntry::Kind::builtin;
        e.method = "GET";
        e.path_template = std::move(path);
        e.contract = std::make_shared<const RouteContract>(*parse_route_contract(id, "", true));
        return e;
    };
    ASSERT_TRUE(table.add(entry("/a", "getThing")).ok());
    auto twice = table.add(entry("/b", "getThing"));
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.error().message.find("operationId 'getThing'"), std::string::npos);
    EXPECT_FALSE(table.can_add_operation_ids({"other", "other"}).ok());
    EXPECT_TRUE(table.can_add_operation_ids({"other", ""}).ok());
    RouteEntry broken = entry("/c", "getBroken");
    broken.contract_problem = "contract: unknown member \"x\"";
    auto refused = table.add(std::move(broken));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("GET /c"), std::string::npos);
}

}  // namespace
}  // namespace admit::runtime
