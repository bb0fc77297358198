// Request view helpers and Response mapping.
#include <admit/sdk.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::to_abi;

/// Owns the storage an admit_request points into.
struct RawRequest {
    std::vector<admit_kv> params;
    std::vector<admit_kv> headers;
    admit_principal principal{};
    admit_str role = to_abi("seller");
    admit_kv tier{to_abi("tier"), to_abi("GOLD")};
    admit_request request{};

    RawRequest(std::string_view query, std::string_view body) {
        params = {{to_abi("hallId"), to_abi("h_12")}, {to_abi("name"), to_abi("Ada Lovelace")}};
        headers = {{to_abi("content-type"), to_abi("application/json")},
                   {to_abi("x-entry-token"), to_abi("tok")}};
        principal.size = sizeof principal;
        principal.subject = to_abi("u_1");
        principal.roles = &role;
        principal.role_count = 1;
        principal.claims = &tier;
        principal.claim_count = 1;
        request.size = sizeof request;
        request.method = to_abi("POST");
        request.path = to_abi("/api/v1/halls/h_12");
        request.query = to_abi(query);
        request.body = to_abi(body);
        request.params = params.data();
        request.param_count = static_cast<uint32_t>(params.size());
        request.headers = headers.data();
        request.header_count = static_cast<uint32_t>(headers.size());
        request.trace_id = to_abi("t-1");
        request.principal = &principal;
        request.idempotency_key = to_abi("idem-1");
    }
};

TEST(Request, QueryParametersAreUrlDecoded) {
    RawRequest raw("q=hello%20world&tag=a+b&empty=&flag&bad=%zz&q=second", "");
    Request request(&raw.request);
    EXPECT_EQ(request.query("q"), "hello world") << "first occurrence wins";
    EXPECT_EQ(request.query("tag"), "a b");
    EXPECT_EQ(request.query("empty"), "");
    EXPECT_EQ(request.query("flag"), "");
    EXPECT_EQ(request.query("bad"), "%zz");
    EXPECT_EQ(request.query("missing"), std::nullopt);
    EXPECT_EQ(admit::sdk::url_decode("%E2%82%AC%2f"), "\xE2\x82\xAC/");
    EXPECT_EQ(admit::sdk::url_decode("100%"), "100%");
}

TEST(Request, ParamsHeadersAndIdentity) {
    RawRequest raw("", "");
    Request request(&raw.request);
    EXPECT_EQ(request.method(), "POST");
    EXPECT_EQ(request.path(), "/api/v1/halls/h_12");
    EXPECT_EQ(request.param("hallId"), "h_12");
    EXPECT_EQ(request.param("name"), "Ada Lovelace");
    EXPECT_EQ(request.param("nope"), "");
    EXPECT_EQ(request.header("X-Entry-Token"), "tok");
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_FALSE(request.header("authorization").has_value());
    EXPECT_EQ(request.trace_id(), "t-1");
    EXPECT_EQ(request.idempotency_key(), "idem-1");

    const auto principal = request.principal();
    EXPECT_TRUE(principal.authenticated());
    EXPECT_EQ(principal.subject(), "u_1");
    EXPECT_EQ(principal.claim("tier"), "GOLD");
    EXPECT_FALSE(principal.claim("missing").has_value());
    EXPECT_EQ(principal.primary_role(), "seller");
    EXPECT_TRUE(principal.has_role("seller"));
    EXPECT_FALSE(principal.has_role("admin"));
    EXPECT_FALSE(admit::sdk::Principal().authenticated());
}

TEST(Request, IdempotencyKeyOfAnOlderHostReadsEmpty) {
    RawRequest raw("", "");
    raw.request.size = static_cast<uint32_t>(offsetof(admit_request, idempotency_key));
    EXPECT_EQ(Request(&raw.request).idempotency_key(), "");
}

TEST(Request, JsonBodyErrorsAreInvalidArgument) {
    RawRequest broken("", "{\"name\": ");
    auto parsed = Request(&broken.request).json();
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().status, ADMIT_E_INVALID_ARGUMENT);
    EXPECT_NE(parsed.error().message.find("not valid JSON"), std::string::npos);

    RawRequest array("", "[1,2]");
    auto object = Request(&array.request).json_object();
    ASSERT_FALSE(object.ok());
    EXPECT_EQ(object.error().message, "request body must be a JSON object");

    RawRequest good("", R"({"name":"Ada"})");
    auto ok = Request(&good.request).json_object();
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->at("name"), "Ada");
}

TEST(Response, ErrorsMapToHttpStatusAndCode) {
    using admit::sdk::Error;
    auto bad = Response::from_error(Error::invalid("field 'name' is required"));
    EXPECT_EQ(bad.status, 400);
    ASSERT_TRUE(bad.api_error.has_value());
    EXPECT_EQ(bad.api_error->code, "INVALID_REQUEST");
    EXPECT_EQ(bad.api_error->message, "field 'name' is required");
    EXPECT_EQ(Response::from_error(Error::not_found("x")).status, 404);
    EXPECT_EQ(Response::from_error(Error::conflict("x")).status, 409);
    EXPECT_EQ(Response::from_error(Error::rejected("x")).status, 422);
    auto down = Response::from_error({ADMIT_E_UNAVAILABLE, "db down"});
    EXPECT_EQ(down.status, 503);
    EXPECT_EQ(down.api_error->code, "DEPENDENCY_UNAVAILABLE");
    ASSERT_EQ(down.headers.size(), 1u);
    EXPECT_EQ(down.headers[0].first, "Retry-After");
    EXPECT_EQ(Response::from_error({ADMIT_E_TIMEOUT, "slow"}).api_error->code,
              "DEPENDENCY_UNAVAILABLE");
    auto internal = Response::from_error(Error::internal("secret detail"));
    EXPECT_EQ(internal.status, 500);
    EXPECT_EQ(internal.api_error->message, "internal error")
        << "internal messages stay out of bodies";

    auto json = Response::json(201, {{"id", "x"}}).header("Location", "/x");
    EXPECT_EQ(json.status, 201);
    EXPECT_EQ(json.body, R"({"id":"x"})");
    EXPECT_EQ(json.headers.size(), 1u);
}

TEST(Result, ValuesAndErrors) {
    admit::sdk::Result<int> good = 5;
    EXPECT_TRUE(good.ok());
    EXPECT_EQ(*good, 5);
    admit::sdk::Result<int> bad = admit::sdk::Error::not_found("none");
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.status(), ADMIT_E_NOT_FOUND);
    EXPECT_EQ(bad.value_or(7), 7);
    auto status = admit::sdk::Status::from(ADMIT_E_TIMEOUT, "");
    EXPECT_EQ(status.message(), "TIMEOUT");
    EXPECT_TRUE(admit::sdk::Status::from(ADMIT_OK, "ignored").ok());
}

}  // namespace
