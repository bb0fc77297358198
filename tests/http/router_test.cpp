#include <gtest/gtest.h>

#include "host/http/router.hpp"

namespace admit::http {
namespace {

TEST(Router, MatchesLiteralAndParameterSegments) {
    Router<int> router;
    ASSERT_TRUE(router.add("GET", "/api/v1/halls/{hallId}", 1).ok());
    ASSERT_TRUE(router.add("POST", "/api/v1/halls/{hallId}/stages", 2).ok());
    ASSERT_TRUE(router.add("GET", "/", 3).ok());

    auto match = router.match("GET", "/api/v1/halls/h-42");
    ASSERT_EQ(match.outcome, MatchOutcome::found);
    EXPECT_EQ(*match.value, 1);
    EXPECT_EQ(match.path_template, "/api/v1/halls/{hallId}");
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].name, "hallId");
    EXPECT_EQ(match.params[0].value, "h-42");

    auto stages = router.match("POST", "/api/v1/halls/h-7/stages");
    ASSERT_EQ(stages.outcome, MatchOutcome::found);
    EXPECT_EQ(*stages.value, 2);
    EXPECT_EQ(stages.params[0].value, "h-7");

    auto root = router.match("GET", "/");
    ASSERT_EQ(root.outcome, MatchOutcome::found);
    EXPECT_EQ(*root.value, 3);
    EXPECT_TRUE(root.params.empty());
}

TEST(Router, BindsSeveralParametersWithPerRouteNames) {
    Router<int> router;
    ASSERT_TRUE(router.add("GET", "/products/{productId}/schedules/{scheduleId}", 1).ok());
    ASSERT_TRUE(router.add("PATCH", "/products/{id}", 2).ok());
    auto match = router.match("GET", "/products/p1/schedules/s2");
    ASSERT_EQ(match.outcome, MatchOutcome::found);
    ASSERT_EQ(match.params.size(), 2u);
    EXPECT_EQ(match.params[0].name, "productId");
    EXPECT_EQ(match.params[0].value, "p1");
    EXPECT_EQ(match.params[1].name, "scheduleId");
    EXPECT_EQ(match.params[1].value, "s2");
    auto patch = router.match("PATCH", "/products/p9");
    ASSERT_EQ(patch.outcome, MatchOutcome::found);
    EXPECT_EQ(patch.params[0].name, "id");
}

TEST(Router, LiteralBeatsParameterAndBacktracks) {
    Router<std::string> router;
    ASSERT_TRUE(router.add("GET", "/users/{id}", "by-id").ok());
    ASSERT_TRUE(router.add("GET", "/users/me", "me").ok());
    ASSERT_TRUE(router.add("GET", "/users/me/settings", "settings").ok());
    ASSERT_TRUE(router.add("GET", "/users/{id}/orders", "orders").ok());

    EXPECT_EQ(*router.match("GET", "/users/me").value, "me");
    EXPECT_EQ(*router.match("GET", "/users/42").value, "by-id");
    EXPECT_EQ(*router.match("GET", "/users/me/settings").value, "settings");
    // The literal branch "me" has no "orders": the parameter branch must still be found.
    auto orders = router.match("GET", "/users/me/orders");
    ASSERT_EQ(orders.outcome, MatchOutcome::found);
    EXPECT_EQ(*orders.value, "orders");
    ASSERT_EQ(orders.params.size(), 1u);
    EXPECT_EQ(orders.params[0].value, "me");
}

TEST(Router, DistinguishesNotFoundFromMethodNotAllowed) {
    Router<int> router;
    ASSERT_TRUE(router.add("GET", "/halls", 1).ok());
    ASSERT_TRUE(router.add("POST", "/halls", 2).ok());
    ASSERT_TRUE(router.add("DELETE", "/halls/{id}", 3).ok());

    auto wrong_method = router.match("PUT", "/halls");
    EXPECT_EQ(wrong_method.outcome, MatchOutcome::method_not_allowed);
    EXPECT_EQ(wrong_method.allow, "GET, HEAD, POST");
    EXPECT_EQ(wrong_method.value, nullptr);

    EXPECT_EQ(router.match("GET", "/halls/x").outcome, MatchOutcome::method_not_allowed);
    EXPECT_EQ(router.match("GET", "/halls/x").allow, "DELETE");
    EXPECT_EQ(router.match("GET", "/nothing").outcome, MatchOutcome::not_found);
    EXPECT_EQ(router.match("GET", "/halls/").outcome, MatchOutcome::not_found);
    EXPECT_EQ(router.match("GET", "/halls/x/y").outcome, MatchOutcome::not_found);
    EXPECT_EQ(router.match("GET", "//halls").outcome, MatchOutcome::not_found);
    EXPECT_EQ(router.match("GET", "").outcome, MatchOutcome::not_found);
    EXPECT_EQ(router.match("GET", "halls").outcome, MatchOutcome::not_found);
    EXPECT_TRUE(router.match("GET", "/nothing").allow.empty());
}

TEST(Router, EveryGetRouteAnswersHeadUnlessHeadHasItsOwn) {
    Router<int> router;
    ASSERT_TRUE(router.add("GET", "/halls", 1).ok());
    ASSERT_TRUE(router.add("GET", "/halls/{id}", 2).ok());
    ASSERT_TRUE(router.add("HEAD", "/halls/{id}", 3).ok());
    ASSERT_TRUE(router.add("POST", "/orders", 4).ok());

    auto head = router.match("HEAD", "/halls");
    ASSERT_EQ(head.outcome, MatchOutcome::found);
    EXPECT_EQ(*head.value, 1);
    auto own = router.match("HEAD", "/halls/x");
    ASSERT_EQ(own.outcome, MatchOutcome::found);
    EXPECT_EQ(*own.value, 3);
    auto post_only = router.match("HEAD", "/orders");
    EXPECT_EQ(post_only.outcome, MatchOutcome::method_not_allowed);
    EXPECT_EQ(post_only.allow, "POST");
}

TEST(Router, RejectsBadTemplatesAndMethods) {
    Router<int> router;
    for (const char* bad :
         {"", "halls", "/halls/", "//halls", "/halls/{", "/halls/{}", "/halls/{1x}", "/halls/x{id}",
          "/halls/{id}x", "/a/{id}/b/{id}", "/halls?x", "/ha%20lls", "/halls/{id-x}"}) {
        auto status = router.add("GET", bad, 1);
        ASSERT_FALSE(status.ok()) << bad;
        EXPECT_EQ(status.error().code, "ROUTE_INVALID_TEMPLATE") << bad;
    }
    auto bad_method = router.add("get", "/halls", 1);
    ASSERT_FALSE(bad_method.ok());
    EXPECT_EQ(bad_method.error().code, "ROUTE_INVALID_METHOD");
}

TEST(Router, RejectsDuplicatesIncludingRenamedParameters) {
    Router<int> router;
    ASSERT_TRUE(router.add("GET", "/halls/{hallId}", 1).ok());
    auto same = router.add("GET", "/halls/{hallId}", 2);
    ASSERT_FALSE(same.ok());
    EXPECT_EQ(same.error().code, "ROUTE_DUPLICATE");
    auto renamed = router.add("GET", "/halls/{id}", 3);
    ASSERT_FALSE(renamed.ok());
    EXPECT_EQ(renamed.error().code, "ROUTE_DUPLICATE");
    EXPECT_TRUE(router.add("PUT", "/halls/{id}", 4).ok());
    EXPECT_EQ(*router.match("GET", "/halls/a").value, 1);
}

}  // namespace
}  // namespace admit::http
