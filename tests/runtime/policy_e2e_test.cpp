// Policies through a real admitd: a saved edit of fees.lua serves within 1 s; a broken save
// changes nothing but the reported error; the admin API publishes, refuses and dry-runs.
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

const std::map<std::string, std::string> kAdmin{{"Authorization", "Bearer test:admin:root"},
                                                {"Content-Type", "application/json"}};

class PolicyEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        // A private copy of the policies folder that the test may edit.
        policies_ = write_temp_file("README", "").parent_path() / "policies";
        std::filesystem::copy(ADMIT_TEST_SOURCE_DIR "/policies", policies_);
        TestVenue venue{.plugins = {"test_auth"}};
        auto toml = venue_toml(venue, nullptr);
        auto at = toml.find("[policies]\ndir = ");
        toml.replace(at, toml.find('\n', at + 11) - at,
                     "[policies]\ndir = \"" + policies_.string() + "\"");
        auto file = write_temp_file("venue.toml", toml);
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }

    // The booking fee per ticket for a SILVER buyer and the revision that decided it.
    std::pair<int64_t, std::string> silver_fee() {
        auto r =
            http_request(port_, "POST", "/api/v1/admin/policies/fees/evaluate",
                         R"({"input":{"kind":"booking","tier":"SILVER","quantity":1}})", kAdmin);
        EXPECT_EQ(r.status, 200) << r.body;
        auto body = boost::json::parse(r.body).as_object();
        return {body["decision"].at("perTicket").as_int64(),
                std::string(body["revision"].as_string())};
    }

    void rewrite_fees(const std::string& from, const std::string& to) {
        std::ifstream in(policies_ / "fees.lua");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        auto at = text.find(from);
        ASSERT_NE(at, std::string::npos);
        text.replace(at, from.size(), to);
        std::ofstream(policies_ / "fees.lua", std::ios::trunc) << text;
    }

    std::filesystem::path policies_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

TEST_F(PolicyEndToEnd, SavedEditServesWithinOneSecondAndABrokenSaveChangesNothing) {
    auto [fee, revision] = silver_fee();
    ASSERT_EQ(fee, 3000);
    // The policy's own tests pin SILVER at 3000, so change the fee and that test together.
    rewrite_fees("SILVER = 3000, GOLD = 2000", "SILVER = 2500, GOLD = 2000");
    {
        std::ifstream in(policies_ / "fees_test.lua");
        std::string tests((std::istreambuf_iterator<char>(in)), {});
        const std::string pinned = "tier = \"SILVER\", quantity = 1 }).amount, 3000)";
        auto at = tests.find(pinned);
        ASSERT_NE(at, std::string::npos);
        tests.replace(at, pinned.size(), "tier = \"SILVER\", quantity = 1 }).amount, 2500)");
        std::ofstream(policies_ / "fees_test.lua", std::ios::trunc) << tests;
    }
    auto saved = std::chrono::steady_clock::now();
    auto current = silver_fee();
    while (current.first != 2500 &&
           std::chrono::steady_clock::now() - saved < std::chrono::seconds(5)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        current = silver_fee();
    }
    auto took = std::chrono::steady_clock::now() - saved;
    ASSERT_EQ(current.first, 2500) << admitd_->log();
    EXPECT_LT(took, std::chrono::seconds(1));
    EXPECT_NE(current.second, revision);

    // A broken save: the last good revision keeps answering, the error is reported.
    std::ofstream(policies_ / "fees.lua", std::ios::trunc)
        << "function decide(input) return { oops = \n";
    // Wait until the watcher has seen and refused the save, then check nothing else changed.
    bool reported = false;
    HttpResult list;
    for (int i = 0; i < 250 && !reported; ++i) {
        list = http_request(port_, "GET", "/api/v1/admin/policies", "", kAdmin);
        ASSERT_EQ(list.status, 200);
        auto listing = boost::json::parse(list.body);
        for (const auto& item : listing.at("items").as_array()) {
            const auto& o = item.as_object();
            if (o.at("name") != "fees") continue;
            EXPECT_EQ(o.at("liveRevision").as_string(), current.second);
            reported = o.contains("lastAttempt") && o.at("lastAttempt").at("result") == "rejected";
        }
        if (!reported) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(silver_fee(), current);
    EXPECT_TRUE(reported) << list.body;
}

TEST_F(PolicyEndToEnd, AdminPutRefusesABrokenPolicyWith422AndOnlyAdminsMayList) {
    auto broken = http_request(
        port_, "PUT", "/api/v1/admin/policies/limits",
        R"({"source":"function decide(input) while true do end end\nfallback = {maxPerUser = 4}"})",
        kAdmin);
    EXPECT_EQ(broken.status, 422) << broken.body;
    EXPECT_EQ(boost::json::parse(broken.body).at("code"), "POLICY_REJECTED");

    auto customer = http_request(port_, "GET", "/api/v1/admin/policies", "",
                                 {{"Authorization", "Bearer test:customer:c1"}});
    EXPECT_EQ(customer.status, 403);
}

TEST_F(PolicyEndToEnd, EvaluateDryRunsASuppliedRevisionWithoutPublishingIt) {
    auto before = silver_fee();
    auto r = http_request(
        port_, "POST", "/api/v1/admin/policies/fees/evaluate",
        R"({"input":{"tier":"GOLD"},"source":"fallback = {currency = 'KRW', perTicket = 0}\nfunction decide(input) return {currency = 'KRW', perTicket = 7} end"})",
        kAdmin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("decision").at("perTicket"), 7);
    EXPECT_EQ(silver_fee(), before);
}

TEST_F(PolicyEndToEnd, EvaluateNeedsAnObjectInput) {
    auto r = http_request(port_, "POST", "/api/v1/admin/policies/fees/evaluate", R"({"input":3})",
                          kAdmin);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("input"), std::string::npos);
}

}  // namespace
}  // namespace admit::testing
