// Seller review (issue 13, abuse of business flows): a self-registered seller starts PENDING and
// its tokens carry the role customer until an admin approves it through /api/v1/admin/sellers.
#include "auth_e2e_fixture.hpp"
#include "token_forge.hpp"

#include <set>

namespace admit::auth::testing {
namespace {

using SellerReview = AuthEndToEnd;

std::vector<std::string> ids_of(const HttpResult& page) {
    std::vector<std::string> ids;
    const auto parsed = boost::json::parse(page.body);
    for (const auto& item : parsed.at("items").as_array())
        ids.emplace_back(item.at("id").as_string());
    return ids;
}

TEST_F(SellerReview, ASelfRegisteredSellerSellsOnlyAfterAnAdminApprovesIt) {
    auto signed_up = post("/api/v1/auth/signup", {{"email", "shop@example.com"},
                                                  {"password", kPassword},
                                                  {"name", "Shop"},
                                                  {"role", "seller"}});
    ASSERT_EQ(signed_up.status, 201) << signed_up.body;
    const std::string id(boost::json::parse(signed_up.body).at("id").as_string());
    EXPECT_EQ(boost::json::parse(signed_up.body).at("sellerStatus"), "PENDING");
    const auto pending = login("shop@example.com");
    EXPECT_EQ(payload_of(pending.access).at("role"), "customer")
        << "a pending seller's token does not carry the seller role";
    auto me = get("/api/v1/auth/me", pending.access);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(boost::json::parse(me.body).at("sellerStatus"), "PENDING");

    const auto boss = admin();
    auto listed = get("/api/v1/admin/sellers", boss.access);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(ids_of(listed), std::vector<std::string>{id});
    EXPECT_TRUE(ids_of(get("/api/v1/admin/sellers?status=APPROVED", boss.access)).empty());

    auto approved =
        post("/api/v1/admin/sellers/" + id + "/approve", boost::json::object{}, boss.access);
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(boost::json::parse(approved.body).at("sellerStatus"), "APPROVED");
    EXPECT_EQ(get("/api/v1/auth/me", pending.access).status, 401)
        << "tokens that carried the customer role stop at once";
    auto refreshed = post("/api/v1/auth/refresh", {{"refreshToken", pending.refresh}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    EXPECT_EQ(
        payload_of(std::string(boost::json::parse(refreshed.body).at("accessToken").as_string()))
            .at("role"),
        "seller")
        << "the next refresh carries the seller role";
    EXPECT_TRUE(ids_of(get("/api/v1/admin/sellers", boss.access)).empty());
    EXPECT_EQ(ids_of(get("/api/v1/admin/sellers?status=APPROVED", boss.access)),
              std::vector<std::string>{id});

    auto twice =
        post("/api/v1/admin/sellers/" + id + "/approve", boost::json::object{}, boss.access);
    EXPECT_EQ(twice.status, 409) << twice.body;
    EXPECT_EQ(code_of(twice), "INVALID_STATE");
    auto rejected =
        post("/api/v1/admin/sellers/" + id + "/reject", boost::json::object{}, boss.access);
    ASSERT_EQ(rejected.status, 200) << rejected.body;
    EXPECT_EQ(payload_of(login("shop@example.com").access).at("role"), "customer");

    std::vector<std::string> review_events;
    for (const auto& [topic, payload] : auth_events()) {
        if (topic == "auth.seller_approved" || topic == "auth.seller_rejected") {
            review_events.push_back(topic);
            EXPECT_EQ(payload.at("userId").as_string(), id);
        }
    }
    EXPECT_EQ(review_events,
              (std::vector<std::string>{"auth.seller_approved", "auth.seller_rejected"}));
}

TEST_F(SellerReview, OnlyAdminsReviewAndOnlySellersAreReviewed) {
    const std::string customer = signup("plain@example.com");
    const std::string seller = signup("maker@example.com", "seller");
    const auto user = login("plain@example.com");
    EXPECT_EQ(get("/api/v1/admin/sellers", user.access).status, 403);
    EXPECT_EQ(
        post("/api/v1/admin/sellers/" + seller + "/approve", boost::json::object{}, user.access)
            .status,
        403);
    EXPECT_EQ(get("/api/v1/admin/sellers").status, 401);
    const auto boss = admin();
    auto not_seller =
        post("/api/v1/admin/sellers/" + customer + "/approve", boost::json::object{}, boss.access);
    EXPECT_EQ(not_seller.status, 404) << not_seller.body;
    EXPECT_EQ(
        post("/api/v1/admin/sellers/usr_nobody/reject", boost::json::object{}, boss.access).status,
        404);
    auto bad_status = get("/api/v1/admin/sellers?status=MAYBE", boss.access);
    EXPECT_EQ(bad_status.status, 400) << bad_status.body;
    auto bad_cursor = get("/api/v1/admin/sellers?cursor=nonsense", boss.access);
    EXPECT_EQ(bad_cursor.status, 400) << bad_cursor.body;

    // Pages: three more pending sellers, two a page.
    for (const auto* email : {"a@example.com", "b@example.com", "c@example.com"})
        signup(email, "seller");
    auto first = get("/api/v1/admin/sellers?limit=2", boss.access);
    ASSERT_EQ(first.status, 200) << first.body;
    const auto first_page = boost::json::parse(first.body);
    ASSERT_TRUE(first_page.at("nextCursor").is_string()) << first.body;
    auto second = get("/api/v1/admin/sellers?limit=2&cursor=" +
                          std::string(first_page.at("nextCursor").as_string()),
                      boss.access);
    ASSERT_EQ(second.status, 200) << second.body;
    auto seen = ids_of(first);
    for (const auto& more : ids_of(second)) seen.push_back(more);
    EXPECT_EQ(seen.size(), 4u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 4u);
    EXPECT_TRUE(boost::json::parse(second.body).at("nextCursor").is_null());

    // A seller an admin made one (role change) needs no further review.
    auto promoted =
        request("PATCH", "/api/v1/admin/users/" + customer, R"({"role":"seller"})", boss.access);
    ASSERT_EQ(promoted.status, 200) << promoted.body;
    EXPECT_EQ(boost::json::parse(promoted.body).at("sellerStatus"), "APPROVED");
    EXPECT_EQ(payload_of(login("plain@example.com").access).at("role"), "seller");
}

}  // namespace
}  // namespace admit::auth::testing
