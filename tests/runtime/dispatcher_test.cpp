// The dispatcher: routing answers, the traffic gate, identity and role rules, streams, built-ins.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>

#include "host/abi/runtime.hpp"
#include "host/abi/string_sink.hpp"
#include "host/admin/builtin_routes.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/pipeline/dispatcher.hpp"
#include "host/plugins/plugin_manager.hpp"

namespace admit::runtime {
namespace {

const NameSet kDeclared{"customer", "seller", "admin", "staff"};

// Accepts "Bearer good:<role>:<id>" and nothing else.
admit_status test_authenticator(void*, admit_str token, admit_principal_out* out) {
    std::string t(token.ptr, token.len);
    if (t.rfind("good:", 0) != 0) return ADMIT_E_REJECTED;
    auto colon = t.find(':', 5);
    if (colon == std::string::npos) return ADMIT_E_REJECTED;
    auto role = t.substr(5, colon - 5);
    auto id = t.substr(colon + 1);
    admit_str role_view = to_abi(role);
    admit_kv tier{to_abi("tier"), to_abi("GOLD")};
    admit_principal principal{};
    principal.size = sizeof principal;
    principal.subject = to_abi(id);
    principal.roles = &role_view;
    principal.role_count = 1;
    principal.claims = &tier;
    principal.claim_count = 1;
    // An undeclared role is refused by the host: the token is then invalid.
    return host_api_table().principal_set(out, &principal) == ADMIT_OK ? ADMIT_OK
                                                                       : ADMIT_E_REJECTED;
}

// Echoes the caller as the handler saw it.
admit_status whoami(void*, const admit_request* request, admit_response* response) {
    const auto& p = *request->principal;
    std::string role = p.role_count > 0 ? std::string(p.roles[0].ptr, p.roles[0].len) : "";
    std::string tier;
    for (uint32_t i = 0; i < p.claim_count; ++i) {
        if (std::string(p.claims[i].key.ptr, p.claims[i].key.len) == "tier") {
            tier.assign(p.claims[i].value.ptr, p.claims[i].value.len);
        }
    }
    boost::json::object o{
        {"subject", std::string(p.subject.ptr, p.subject.len)}, {"role", role}, {"tier", tier}};
    auto body = boost::json::serialize(o);
    host_api_table().response_body(response, to_abi(body), to_abi(""));
    return ADMIT_OK;
}

// A cached body handed to the host without a copy; released_count counts the host's releases.
const std::string kCachedBody = R"({"cached":true})";
int released_count = 0;
void count_release(void* ctx) { released_count += *static_cast<int*>(ctx); }
int kOne = 1;

admit_status borrowed_body(void*, const admit_request*, admit_response* response) {
    host_api_table().response_body_borrowed(response, to_abi(kCachedBody), to_abi(""),
                                            &count_release, &kOne);
    return ADMIT_OK;
}

// Borrows a body, then replaces it with an error: the borrowed bytes are released at once.
admit_status borrowed_then_error(void*, const admit_request*, admit_response* response) {
    host_api_table().response_body_borrowed(response, to_abi(kCachedBody), to_abi(""),
                                            &count_release, &kOne);
    host_api_table().response_error(response, 409, to_abi("CONFLICT"), to_abi("changed its mind"));
    return ADMIT_OK;
}

admit_status open_snapshot(void*, const admit_request*, admit_sink* first) {
    write_to(first, R"({"seats":[]})");
    return ADMIT_OK;
}

class DispatcherTest : public ::testing::Test {
  protected:
    void SetUp() override {
        BuiltinContext ctx;
        ctx.metrics = &metrics_;
        ctx.plugins = &manager_;
        ctx.clock = &clock_;
        ctx.venue_name = "Test Hall";
        ctx.version = "test";
        ASSERT_TRUE(add_builtin_routes(runtime_.routes(), ctx).ok());
        ASSERT_TRUE(manager_.load({ADMIT_PROBE_DIR, {"probe_a"}, {}}).ok());
        ASSERT_TRUE(manager_.init_all().ok());

        // A plugin record whose registrations go through the same validate/commit path.
        auth_.name = "fakeauth";
        auth_.staged.authenticators.push_back({&test_authenticator, nullptr});
        RouteRegistration customer_only;
        customer_only.method = "GET";
        customer_only.path = "/whoami";
        std::string err;
        ASSERT_TRUE(RoleRule::parse("customer,admin", kDeclared, customer_only.roles, err));
        customer_only.handler = &whoami;
        auth_.staged.routes.push_back(customer_only);
        RouteRegistration open = customer_only;
        open.path = "/open/whoami";
        ASSERT_TRUE(RoleRule::parse("public", kDeclared, open.roles, err));
        auth_.staged.routes.push_back(open);
        RouteRegistration borrowed = open;
        borrowed.path = "/borrowed";
        borrowed.handler = &borrowed_body;
        auth_.staged.routes.push_back(borrowed);
        borrowed.path = "/borrowed-then-error";
        borrowed.handler = &borrowed_then_error;
        auth_.staged.routes.push_back(borrowed);
        StreamRegistration stream;
        stream.path = "/schedules/{scheduleId}/seats/stream";
        ASSERT_TRUE(RoleRule::parse("public", kDeclared, stream.roles, err));
        stream.topic_template = "seats:{scheduleId}";
        stream.on_open = &open_snapshot;
        auth_.staged.streams.push_back(stream);
        ASSERT_TRUE(runtime_.validate(auth_).ok());
        ASSERT_TRUE(runtime_.commit(auth_).ok());
        dispatcher_.open_traffic();
    }

    http::Response call(std::string method, std::string path, std::string token = "") {
        http::Request r;
        r.method = std::move(method);
        r.path = std::move(path);
        r.trace_id = "trace-123";
        if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
        return dispatcher_.handle(r);
    }

    static boost::json::object body(const http::Response& r) {
        return boost::json::parse(r.payload()).as_object();
    }

    HostClock clock_;
    observe::MetricsRegistry metrics_;
    Runtime runtime_{RuntimeServices{}, clock_, AccessRules{kDeclared, {"general"}, "admin"}};
    PluginManager manager_{runtime_, host_api_table(), runtime_};
    PluginRecord auth_;
    Dispatcher dispatcher_{runtime_};
};

TEST_F(DispatcherTest, UnknownRouteIs404WithTheStandardBody) {
    auto r = call("GET", "/nope");
    EXPECT_EQ(r.status, 404);
    auto b = body(r);
    EXPECT_EQ(b["code"], "NOT_FOUND");
    EXPECT_EQ(b["traceId"], "trace-123");
    EXPECT_NE(b["message"].as_string().find("/nope"), std::string::npos);
}

TEST_F(DispatcherTest, WrongMethodIs405WithAllow) {
    auto r = call("POST", "/healthz");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(body(r)["code"], "METHOD_NOT_ALLOWED");
    bool has_allow = false;
    for (const auto& [k, v] : r.headers)
        has_allow = has_allow || (k == "Allow" && v == "GET, HEAD");
    EXPECT_TRUE(has_allow);
}

TEST_F(DispatcherTest, ATrailingSlashOnAPageRedirectsToItKeepingTheQuery) {
    const auto location = [](const http::Response& r) {
        for (const auto& [k, v] : r.headers)
            if (k == "Location") return v;
        return std::string{};
    };
    auto r = call("GET", "/probe/probe_a/");
    EXPECT_EQ(r.status, 308);
    EXPECT_EQ(location(r), "/probe/probe_a");
    http::Request with_query;
    with_query.method = "GET";
    with_query.path = "/healthz/";
    with_query.query = "verbose=1";
    with_query.trace_id = "trace-123";
    auto q = dispatcher_.handle(with_query);
    EXPECT_EQ(q.status, 308);
    EXPECT_EQ(location(q), "/healthz?verbose=1");
    // Not for a body-carrying method, an unknown page, a doubled slash or a path that would need
    // encoding in Location.
    EXPECT_EQ(call("POST", "/probe/probe_a/").status, 404);
    EXPECT_EQ(call("GET", "/nope/").status, 404);
    EXPECT_EQ(call("GET", "/healthz//").status, 404);
    EXPECT_EQ(call("GET", "/").status, 404);
}

TEST_F(DispatcherTest, PluginRouteAnswersAndLabelsItsTemplate) {
    auto r = call("GET", "/probe/probe_a");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body(r)["plugin"], "probe_a");
    EXPECT_EQ(r.route_label, "/probe/probe_a");
}

TEST_F(DispatcherTest, BorrowedBodyIsSentAsIsAndReleasedOnceWhenTheResponseIsDropped) {
    released_count = 0;
    {
        auto r = call("GET", "/borrowed");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.payload(), kCachedBody);
        EXPECT_EQ(r.payload().data(), kCachedBody.data()) << "the bytes were copied";
        EXPECT_TRUE(r.body.empty());
        EXPECT_EQ(released_count, 0) << "released while the response still needs the bytes";
        auto moved = std::move(r);
        EXPECT_EQ(released_count, 0);
    }
    EXPECT_EQ(released_count, 1);
}

TEST_F(DispatcherTest, BorrowedBodyReplacedByAnErrorIsReleasedAtOnce) {
    released_count = 0;
    auto r = call("GET", "/borrowed-then-error");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(body(r)["code"], "CONFLICT");
    EXPECT_EQ(released_count, 1);
}

TEST_F(DispatcherTest, HandlerFailureWithoutResponseIs500StandardBody) {
    auto r = call("GET", "/probe/probe_a/fail");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(body(r)["code"], "INTERNAL");
    EXPECT_EQ(body(r)["traceId"], "trace-123");
    // The next request is served normally.
    EXPECT_EQ(call("GET", "/probe/probe_a").status, 200);
}

TEST_F(DispatcherTest, PluginRoutesWaitForTrafficButHealthAnswers) {
    dispatcher_.close_traffic();
    auto r = call("GET", "/probe/probe_a");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(body(r)["code"], "OVERLOADED");
    EXPECT_EQ(call("GET", "/healthz").status, 200);
}

TEST_F(DispatcherTest, MissingTokenIs401) {
    auto r = call("GET", "/whoami");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(body(r)["code"], "UNAUTHENTICATED");
}

TEST_F(DispatcherTest, RefusedTokenIs401) {
    EXPECT_EQ(call("GET", "/whoami", "forged").status, 401);
}

// The host knows roles only as the venue declares them: an authenticator cannot grant a role that
// nobody configured, so such a token is refused.
TEST_F(DispatcherTest, ARoleTheVenueDoesNotDeclareIsRefused) {
    EXPECT_EQ(call("GET", "/whoami", "good:superuser:u1").status, 401);
}

TEST_F(DispatcherTest, WrongRoleIs403) {
    auto r = call("GET", "/whoami", "good:seller:u1");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(body(r)["code"], "FORBIDDEN");
}

TEST_F(DispatcherTest, HandlerSeesTheAuthenticatedCallerNotClientHeaders) {
    http::Request r;
    r.method = "GET";
    r.path = "/whoami";
    r.trace_id = "t";
    r.headers.emplace_back("authorization", "Bearer good:customer:u42");
    r.headers.emplace_back("x-user-id", "u1");  // a client trying to choose its identity
    auto response = dispatcher_.handle(r);
    ASSERT_EQ(response.status, 200);
    auto b = body(response);
    EXPECT_EQ(b["subject"], "u42");
    EXPECT_EQ(b["role"], "customer");
    EXPECT_EQ(b["tier"], "GOLD");
}

TEST_F(DispatcherTest, PublicRouteTreatsABadTokenAsAnonymous) {
    auto r = call("GET", "/open/whoami", "forged");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(body(r)["subject"], "");
}

TEST_F(DispatcherTest, StreamRouteOpensItsTopicWithASnapshot) {
    auto r = call("GET", "/schedules/s-7/seats/stream");
    ASSERT_EQ(r.status, 200);
    ASSERT_TRUE(r.stream_topic.has_value());
    EXPECT_EQ(*r.stream_topic, "seats:s-7");
    EXPECT_NE(r.stream_first_event.find("event: snapshot"), std::string::npos);
    EXPECT_NE(r.stream_first_event.find(R"(data: {"seats":[]})"), std::string::npos);
}

TEST_F(DispatcherTest, AdminPluginListingNeedsAdmin) {
    EXPECT_EQ(call("GET", "/api/v1/admin/plugins", "good:customer:u1").status, 403);
    auto r = call("GET", "/api/v1/admin/plugins", "good:admin:root");
    ASSERT_EQ(r.status, 200);
    auto items = body(r)["items"].as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].as_object().at("name"), "probe_a");
    EXPECT_EQ(items[0].as_object().at("state"), "INITIALIZED");
}

TEST_F(DispatcherTest, OpenApiListsEveryRouteWithItsRoles) {
    auto r = call("GET", "/openapi.json");
    ASSERT_EQ(r.status, 200);
    auto paths = body(r)["paths"].as_object();
    ASSERT_TRUE(paths.contains("/whoami"));
    EXPECT_EQ(paths["/whoami"].at("get").at("x-roles"), "admin,customer");
    EXPECT_TRUE(paths.contains("/schedules/{scheduleId}/seats/stream"));
    EXPECT_TRUE(paths.contains("/probe/probe_a"));
}

TEST(ReadyzTest, AFailingDependencyIs503NamingItWithEveryCheck) {
    HostClock clock;
    Runtime runtime{RuntimeServices{}, clock, AccessRules{kDeclared, {"general"}, "admin"}};
    bool redis_up = false;
    BuiltinContext ctx;
    ctx.readiness = [&] {
        return std::vector<ReadinessCheck>{
            {"postgres", true, "reachable"},
            {"redis", redis_up, redis_up ? "reachable" : "connection refused"}};
    };
    ctx.readiness_interval = std::chrono::milliseconds(0);
    ASSERT_TRUE(add_builtin_routes(runtime.routes(), ctx).ok());
    Dispatcher dispatcher{runtime};
    http::Request r;
    r.method = "GET";
    r.path = "/readyz";
    r.trace_id = "t";
    auto down = dispatcher.handle(r);
    EXPECT_EQ(down.status, 503);
    auto body = boost::json::parse(down.body).as_object();
    EXPECT_EQ(body["code"], "DEPENDENCY_UNAVAILABLE");
    EXPECT_NE(body["message"].as_string().find("redis"), std::string::npos);
    // The reason is for the log, not for the public.
    EXPECT_EQ(down.body.find("connection refused"), std::string::npos) << down.body;
    EXPECT_EQ(body["checks"].at("postgres").at("ok"), true);
    EXPECT_EQ(body["checks"].at("redis").at("ok"), false);
    redis_up = true;
    EXPECT_EQ(dispatcher.handle(r).status, 200);
}

TEST_F(DispatcherTest, ReadyzChecksItsDependenciesAtMostOncePerInterval) {
    HostClock clock;
    Runtime runtime{RuntimeServices{}, clock, AccessRules{kDeclared, {"general"}, "admin"}};
    std::atomic<int> probes{0};
    BuiltinContext ctx;
    ctx.readiness = [&] {
        ++probes;
        return std::vector<ReadinessCheck>{{"postgres", true, "reachable"}};
    };
    ctx.readiness_interval = std::chrono::hours(1);
    ASSERT_TRUE(add_builtin_routes(runtime.routes(), ctx).ok());
    Dispatcher dispatcher{runtime};
    http::Request r;
    r.method = "GET";
    r.path = "/readyz";
    r.trace_id = "t";
    for (int i = 0; i < 50; ++i) ASSERT_EQ(dispatcher.handle(r).status, 200);
    EXPECT_EQ(probes.load(), 1);
}

TEST_F(DispatcherTest, MetricsAnswerOnlyTheirBearerTokenWhenOneIsSet) {
    HostClock clock;
    Runtime runtime{RuntimeServices{}, clock, AccessRules{kDeclared, {"general"}, "admin"}};
    observe::MetricsRegistry registry;
    BuiltinContext ctx;
    ctx.metrics = &registry;
    ctx.metrics_token = "s3cret-scrape-token";
    ASSERT_TRUE(add_builtin_routes(runtime.routes(), ctx).ok());
    Dispatcher dispatcher{runtime};
    auto scrape = [&](std::string authorization) {
        http::Request r;
        r.method = "GET";
        r.path = "/metrics";
        r.trace_id = "t";
        if (!authorization.empty()) r.headers.emplace_back("authorization", authorization);
        return dispatcher.handle(r).status;
    };
    EXPECT_EQ(scrape(""), 401);
    EXPECT_EQ(scrape("Bearer wrong-token-of-same-len"), 401);
    EXPECT_EQ(scrape("Bearer s3cret-scrape-token-and-more"), 401);
    EXPECT_EQ(scrape("Basic s3cret-scrape-token"), 401);
    EXPECT_EQ(scrape("Bearer s3cret-scrape-token"), 200);
}

TEST_F(DispatcherTest, DuplicateRouteOfAnotherPluginIsRefusedAtValidate) {
    PluginRecord clash;
    clash.name = "clash";
    RouteRegistration dup;
    dup.method = "GET";
    dup.path = "/probe/probe_a";
    std::string err;
    ASSERT_TRUE(RoleRule::parse("public", kDeclared, dup.roles, err));
    dup.handler = &whoami;
    clash.staged.routes.push_back(dup);
    auto s = runtime_.validate(clash);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "ROUTE_DUPLICATE");
}

TEST(RoleRuleTest, RejectsUnknownAndEmptyRoles) {
    RoleRule rule;
    std::string err;
    EXPECT_FALSE(RoleRule::parse("customer,superuser", kDeclared, rule, err));
    EXPECT_NE(err.find("superuser"), std::string::npos);
    EXPECT_FALSE(RoleRule::parse("", kDeclared, rule, err));
    EXPECT_TRUE(RoleRule::parse(" seller , admin ", kDeclared, rule, err));
    EXPECT_EQ(rule.to_string(), "admin,seller");
}

}  // namespace
}  // namespace admit::runtime
