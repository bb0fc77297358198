// HTTP rules real clients rely on, checked on the wire: HEAD on every GET route, the Host header
// and request-target rules of RFC 9112, 414, and CORS (preflight and simple requests).
#include "tests/conformance/conformance_fixture.hpp"

namespace admit::testing::conformance {
namespace {

using http::testing::RawClient;

std::string request(std::string_view method, std::string_view target,
                    std::string_view extra_headers = "Host: 127.0.0.1\r\n") {
    return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n" +
           std::string(extra_headers) + "\r\n";
}

TEST_F(Conformance, HeadAnswersEveryGetRouteWithTheGetHeadersAndNoBody) {
    for (const std::string target : {"/healthz", "/openapi.json", "/api/v1/halls"}) {
        RawClient client(port_);
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.send(request("GET", target)));
        auto get = client.read_reply();
        ASSERT_TRUE(get) << target;
        ASSERT_EQ(get->status, 200) << target;
        // HEAD, then GET on the same connection: if HEAD wrote any body byte, the second reply's
        // status line would not parse where it must start.
        ASSERT_TRUE(client.send(request("HEAD", target) + request("GET", "/healthz")));
        auto head = client.read_reply(std::chrono::seconds(5), /*stop_after_headers=*/true);
        ASSERT_TRUE(head) << target;
        EXPECT_EQ(head->status, 200) << target;
        EXPECT_EQ(head->header("content-length"), std::to_string(get->body.size())) << target;
        EXPECT_EQ(head->header("content-type"), get->header("content-type")) << target;
        auto after = client.read_reply();
        ASSERT_TRUE(after) << target;
        EXPECT_EQ(after->status, 200) << target;
        EXPECT_EQ(after->body.substr(0, 1), "{") << target;
    }
}

TEST_F(Conformance, HeadOfAnErrorCarriesNoBodyEither) {
    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    // /api/v1/products/{id}/submit is POST-only.
    ASSERT_TRUE(client.send(request("HEAD", "/no/such/path") +
                            request("HEAD", "/api/v1/products/prd_x/submit") +
                            request("GET", "/healthz")));
    auto missing = client.read_reply(std::chrono::seconds(5), true);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    auto not_allowed = client.read_reply(std::chrono::seconds(5), true);
    ASSERT_TRUE(not_allowed);
    EXPECT_EQ(not_allowed->status, 405);
    EXPECT_NE(not_allowed->header("allow").find("POST"), std::string::npos);
    auto next = client.read_reply();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
}

TEST_F(Conformance, HeadOfAStreamAnswersItsHeadAndDoesNotStream) {
    const auto schedule = scheduled_performance();
    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(request("HEAD", "/api/v1/schedules/" + schedule + "/seats/stream") +
                            request("GET", "/healthz")));
    auto head = client.read_reply(std::chrono::seconds(5), true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
    auto next = client.read_reply();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
}

TEST_F(Conformance, AnHttp11RequestNeedsExactlyOneValidHost) {
    EXPECT_EQ(exchange("GET /healthz HTTP/1.1\r\n\r\n")->status, 400);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: a\r\nHost: b\r\n"))->status, 400);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: a b\r\n"))->status, 400);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: exa mple.com:80\r\n"))->status, 400);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: example.com:http\r\n"))->status, 400);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: [::1\r\n"))->status, 400);
    auto refused = exchange("GET /healthz HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->body.find("INVALID_REQUEST"), std::string::npos) << refused->body;
    EXPECT_NE(refused->body.find("Host"), std::string::npos) << refused->body;

    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: example.com:8080\r\n"))->status, 200);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: [::1]:8080\r\n"))->status, 200);
    EXPECT_EQ(exchange(request("GET", "/healthz", "Host: 127.0.0.1\r\n"))->status, 200);
    // HTTP/1.0 predates Host.
    EXPECT_EQ(exchange("GET /healthz HTTP/1.0\r\n\r\n")->status, 200);
}

TEST_F(Conformance, AbsoluteFormTargetsAreServedLikeOriginForm) {
    auto absolute = exchange(request("GET", "http://127.0.0.1/healthz"));
    ASSERT_TRUE(absolute);
    EXPECT_EQ(absolute->status, 200);
    auto with_query = exchange(request("GET", "http://shop.example:8080/api/v1/halls?limit=5"));
    ASSERT_TRUE(with_query);
    EXPECT_EQ(with_query->status, 200) << with_query->body;
    EXPECT_EQ(exchange(request("GET", "ftp://127.0.0.1/healthz"))->status, 400);
    EXPECT_EQ(exchange(request("GET", "http://user@127.0.0.1/healthz"))->status, 400);
}

TEST_F(Conformance, AnOverLongTargetGets414WhetherOrNotTheHeaderBlockFits) {
    // 9,000 bytes: over the 8 KiB target limit, inside the 16 KiB header limit.
    auto long_target = exchange(request("GET", "/" + std::string(9000, 'a')));
    ASSERT_TRUE(long_target);
    EXPECT_EQ(long_target->status, 414);
    EXPECT_NE(long_target->body.find("URI_TOO_LONG"), std::string::npos);
    // 20,000 bytes: the request line alone overflows the header block.
    auto huge_target = exchange(request("GET", "/" + std::string(20000, 'a')));
    ASSERT_TRUE(huge_target);
    EXPECT_EQ(huge_target->status, 414);
    // Many header bytes after a short request line remain 431.
    auto big_headers = exchange(
        request("GET", "/healthz", "Host: x\r\nX-Filler: " + std::string(20000, 'b') + "\r\n"));
    ASSERT_TRUE(big_headers);
    EXPECT_EQ(big_headers->status, 431);
}

TEST_F(Conformance, CorsPreflightFromAnAllowedOriginIsAnswered) {
    auto preflight = exchange(request("OPTIONS", "/api/v1/halls",
                                      "Host: 127.0.0.1\r\nOrigin: https://shop.example\r\n"
                                      "Access-Control-Request-Method: POST\r\n"
                                      "Access-Control-Request-Headers: authorization, "
                                      "idempotency-key\r\n"));
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->status, 204);
    EXPECT_EQ(preflight->header("access-control-allow-origin"), kAllowedOrigin);
    EXPECT_EQ(preflight->header("access-control-allow-credentials"), "true");
    EXPECT_NE(preflight->header("access-control-allow-methods").find("POST"), std::string::npos);
    for (const char* header :
         {"Authorization", "Idempotency-Key", "X-Entry-Token", "Last-Event-ID"})
        EXPECT_NE(preflight->header("access-control-allow-headers").find(header), std::string::npos)
            << header;
    EXPECT_NE(preflight->header("access-control-max-age"), "");
    EXPECT_NE(preflight->header("vary").find("Origin"), std::string::npos);
}

TEST_F(Conformance, CorsRefusesOtherOriginsAndNeverUsesAWildcard) {
    auto preflight = exchange(request("OPTIONS", "/api/v1/halls",
                                      "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n"
                                      "Access-Control-Request-Method: POST\r\n"));
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->status, 403);
    EXPECT_EQ(preflight->header("access-control-allow-origin"), "");
    EXPECT_NE(preflight->body.find("FORBIDDEN"), std::string::npos);

    auto simple = exchange(
        request("GET", "/api/v1/halls", "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n"));
    ASSERT_TRUE(simple);
    EXPECT_EQ(simple->status, 200);
    EXPECT_EQ(simple->header("access-control-allow-origin"), "");
    EXPECT_NE(simple->header("vary").find("Origin"), std::string::npos);
}

TEST_F(Conformance, CorsSimpleRequestsExposeTheHeadersClientsRead) {
    auto simple = exchange(
        request("GET", "/api/v1/halls", "Host: 127.0.0.1\r\nOrigin: https://shop.example\r\n"));
    ASSERT_TRUE(simple);
    EXPECT_EQ(simple->status, 200);
    EXPECT_EQ(simple->header("access-control-allow-origin"), kAllowedOrigin);
    EXPECT_EQ(simple->header("access-control-allow-credentials"), "true");
    for (const char* header : {"X-Trace-Id", "Retry-After", "Idempotent-Replayed"})
        EXPECT_NE(simple->header("access-control-expose-headers").find(header), std::string::npos)
            << header;
    // Errors carry them too, so a browser script can read the error body.
    auto error = exchange(request("GET", "/api/v1/halls/hal_nope",
                                  "Host: 127.0.0.1\r\nOrigin: https://shop.example\r\n"));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->status, 404);
    EXPECT_EQ(error->header("access-control-allow-origin"), kAllowedOrigin);
}

TEST_F(Conformance, ResponsesAreNeverSniffedAndSignedInAnswersAreNotStored) {
    auto anonymous = exchange(request("GET", "/api/v1/halls"));
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->header("x-content-type-options"), "nosniff");
    EXPECT_EQ(anonymous->header("cache-control"), "");
    auto refused = exchange("GET /healthz HTTP/1.1\r\n\r\n");  // refused before routing
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->header("x-content-type-options"), "nosniff");
    auto signed_in =
        exchange(request("GET", "/api/v1/halls",
                         "Host: 127.0.0.1\r\nAuthorization: Bearer test:customer:usr_c\r\n"));
    ASSERT_TRUE(signed_in);
    EXPECT_EQ(signed_in->status, 200);
    EXPECT_EQ(signed_in->header("cache-control"), "no-store");
    // A route that states its own caching keeps it.
    const auto schedule = scheduled_performance();
    auto map =
        exchange(request("GET", "/api/v1/schedules/" + schedule + "/seats",
                         "Host: 127.0.0.1\r\nAuthorization: Bearer test:customer:usr_c\r\n"));
    ASSERT_TRUE(map);
    EXPECT_EQ(map->header("cache-control"), "no-cache");
}

TEST_F(Conformance, PlainOptionsListsTheMethodsAndUnknownPathsAre404) {
    auto options = exchange(request("OPTIONS", "/api/v1/halls"));
    ASSERT_TRUE(options);
    EXPECT_EQ(options->status, 204);
    EXPECT_NE(options->header("allow").find("GET"), std::string::npos);
    EXPECT_NE(options->header("allow").find("POST"), std::string::npos);
    EXPECT_NE(options->header("allow").find("HEAD"), std::string::npos);
    auto unknown = exchange(request("OPTIONS", "/no/such/path"));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
}

}  // namespace
}  // namespace admit::testing::conformance
