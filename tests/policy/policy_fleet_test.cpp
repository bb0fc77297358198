// Policies as a staff product, through real admitd processes on one database: a publish through
// one host is served by every host within 1 s, a restart keeps it, the history lists every
// revision with its author, refusals name the reason while the last good revision keeps serving,
// rollback and approval change the live revision for the whole fleet.
#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

std::map<std::string, std::string> as(const std::string& role, const std::string& user) {
    return {{"Authorization", "Bearer test:" + role + ":" + user},
            {"Content-Type", "application/json"}};
}
const auto kEditor = as("policy_editor", "mina");
const auto kAdmin = as("admin", "root");

std::string repository_file(const std::string& name) {
    std::ifstream in(std::string(ADMIT_TEST_SOURCE_DIR) + "/policies/" + name);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "cannot find: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// fees.lua with GOLD's booking fee set to `gold`, and its tests pinning `pinned` (which is what
// a careful editor sends with the change).
std::string fees_with_gold(const std::string& gold) {
    return replaced(repository_file("fees.lua"), "GOLD = 2000, DIAMOND",
                    "GOLD = " + gold + ", DIAMOND");
}
std::string fees_tests_pinning_gold(const std::string& per_ticket, const std::string& three) {
    auto tests =
        replaced(repository_file("fees_test.lua"), "tier = \"GOLD\", quantity = 1 }).amount, 2000)",
                 "tier = \"GOLD\", quantity = 1 }).amount, " + per_ticket + ")");
    return replaced(
        tests, "perTicket = 2000,\n              quantity = 3, amount = 6000",
        "perTicket = " + per_ticket + ",\n              quantity = 3, amount = " + three);
}

std::string put_body(const std::string& source, const std::string& tests,
                     const std::string& comment) {
    return boost::json::serialize(
        boost::json::object{{"source", source}, {"tests", tests}, {"comment", comment}});
}

boost::json::object json_of(const HttpResult& r) {
    boost::system::error_code error;
    auto value = boost::json::parse(r.body, error);
    return !error && value.is_object() ? value.as_object() : boost::json::object{};
}

class PolicyFleet : public ::testing::Test {
  protected:
    void SetUp() override { venue_ = write_temp_file("venue.toml", venue_text("")); }

    std::string venue_text(const std::string& policies_keys) {
        auto toml = venue_toml(TestVenue{.plugins = {"test_auth"}}, &storage_);
        return replaced(toml, "[policies]\n", "[policies]\n" + policies_keys);
    }

    // Starts a host on the shared database; returns its index.
    std::size_t start_host(const std::filesystem::path& venue) {
        hosts_.push_back(std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue.string()}));
        auto port = hosts_.back()->wait_until_serving();
        EXPECT_TRUE(port.has_value()) << hosts_.back()->log();
        ports_.push_back(port.value_or(0));
        return hosts_.size() - 1;
    }

    // GOLD's booking fee per ticket as host i decides it now, and the deciding revision.
    std::pair<std::int64_t, std::string> gold_fee(std::size_t i) {
        auto r = http_request(ports_[i], "POST", "/api/v1/admin/policies/fees/evaluate",
                              R"({"input":{"kind":"booking","tier":"GOLD","quantity":1}})", kAdmin);
        auto body = json_of(r);
        if (r.status != 200 || !body.contains("decision")) return {-1, r.body};
        return {body["decision"].at("perTicket").as_int64(),
                std::string(body["revision"].as_string())};
    }

    HttpResult put_fees(const std::string& body, const std::map<std::string, std::string>& who,
                        std::size_t host = 0) {
        return http_request(ports_[host], "PUT", "/api/v1/admin/policies/fees", body, who);
    }

    void expect_every_host_serves(std::int64_t fee) {
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            EXPECT_EQ(gold_fee(i).first, fee) << "host " << i;
        }
    }

    IsolatedStorage storage_;
    std::filesystem::path venue_;
    std::vector<std::unique_ptr<AdmitdProcess>> hosts_;
    std::vector<uint16_t> ports_;
};

TEST_F(PolicyFleet, PublishThroughOneHostReachesEveryHostByNotificationAndSurvivesRestart) {
    // The fallback poll is an hour, so only the publish notification can carry the revision to
    // the other hosts within the wait below.
    venue_ = write_temp_file("venue.toml", venue_text("sync_poll_ms = 3600000\n"));
    for (int i = 0; i < 3; ++i) start_host(venue_);
    ASSERT_EQ(ports_.size(), 3u);
    const auto seeded = gold_fee(0);
    ASSERT_EQ(seeded.first, 2000);
    expect_every_host_serves(2000);

    auto r = put_fees(put_body(fees_with_gold("2500"), fees_tests_pinning_gold("2500", "7500"),
                               "GOLD booking fee 2500 from March"),
                      kEditor);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto published_at = std::chrono::steady_clock::now();
    auto report = json_of(r);
    EXPECT_EQ(report["result"].as_string(), "published");
    const std::string revision(report["revision"].as_string());
    EXPECT_NE(revision, seeded.second);

    for (std::size_t i = 1; i < 3; ++i) {
        while (gold_fee(i).first != 2500 && std::chrono::steady_clock::now() - published_at < 10s) {
            std::this_thread::sleep_for(5ms);
        }
    }
    // Tens of milliseconds on a quiet machine; the bound leaves room for a loaded 2-core CI
    // runner with a Debug build and still fails if the notification is lost (the poll is an hour).
    const auto elapsed = std::chrono::steady_clock::now() - published_at;
    RecordProperty(
        "propagation_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
    EXPECT_LT(elapsed, 5s) << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                           << " ms";
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(gold_fee(i), std::make_pair(2500L, revision));

    // Every host reports the revision it serves.
    auto listing = json_of(http_request(ports_[2], "GET", "/api/v1/admin/policies", "", kEditor));
    ASSERT_TRUE(listing.contains("hosts")) << boost::json::serialize(listing);
    std::size_t serving_new = 0;
    for (const auto& host : listing["hosts"].as_array()) {
        const auto& revisions = host.at("revisions").as_object();
        serving_new += revisions.contains("fees") && revisions.at("fees") == revision.c_str();
    }
    EXPECT_EQ(serving_new, 3u) << boost::json::serialize(listing);

    // A restart keeps the published revision (the file in policies/ is not imported again).
    hosts_[1]->signal(SIGTERM);
    ASSERT_TRUE(hosts_[1]->wait_exit().has_value());
    hosts_[1] = std::make_unique<AdmitdProcess>(
        ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_.string()});
    auto port = hosts_[1]->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << hosts_[1]->log();
    ports_[1] = *port;
    EXPECT_EQ(gold_fee(1), std::make_pair(2500L, revision));

    // The history lists every revision with its author, newest first.
    auto history =
        http_request(ports_[1], "GET", "/api/v1/admin/policies/fees/revisions", "", kEditor);
    ASSERT_EQ(history.status, 200) << history.body;
    auto items = json_of(history)["items"].as_array();
    ASSERT_EQ(items.size(), 2u) << history.body;
    EXPECT_EQ(items[0].at("revision").as_string(), revision);
    EXPECT_EQ(items[0].at("author").as_string(), "admin:mina");
    EXPECT_EQ(items[0].at("comment").as_string(), "GOLD booking fee 2500 from March");
    EXPECT_EQ(items[0].at("parent").as_string(), seeded.second);
    EXPECT_TRUE(items[0].at("live").as_bool());
    EXPECT_EQ(items[1].at("revision").as_string(), seeded.second);
    EXPECT_EQ(items[1].at("author").as_string(), "startup");

    // The publish is an audit event for the log plugin, with actor and a diff summary.
    {
        pqxx::connection db(storage_.pg_url());
        pqxx::read_transaction tx(db);
        auto rows = tx.exec(
            "SELECT payload FROM admit.event_outbox WHERE topic = 'policy.published' "
            "ORDER BY id DESC LIMIT 1");
        ASSERT_EQ(rows.size(), 1u);
        auto payload = boost::json::parse(rows[0][0].c_str()).as_object();
        EXPECT_EQ(payload["actor"], "admin:mina");
        EXPECT_EQ(payload["revision"], revision.c_str());
        EXPECT_EQ(payload["previousRevision"], seeded.second.c_str());
        EXPECT_EQ(payload["summary"], "source +1 -1 lines; tests +3 -3 lines");
    }

    auto one = json_of(http_request(
        ports_[2], "GET", "/api/v1/admin/policies/fees/revisions/" + revision, "", kEditor));
    EXPECT_NE(std::string(one["tests"].as_string()).find("amount, 2500)"), std::string::npos);
    EXPECT_EQ(one["report"].at("testsPassed").as_int64(), 6);
}

TEST_F(PolicyFleet, RefusalsNameTheReasonAndTheLastGoodRevisionKeepsServingEverywhere) {
    for (int i = 0; i < 2; ++i) start_host(venue_);
    ASSERT_EQ(ports_.size(), 2u);
    ASSERT_EQ(gold_fee(1).first, 2000);

    // A negative fee, although its own tests pin it: the output schema refuses it.
    auto negative = put_fees(
        put_body(fees_with_gold("-100"), fees_tests_pinning_gold("-100", "-300"), "typo"), kEditor);
    ASSERT_EQ(negative.status, 422) << negative.body;
    auto body = json_of(negative);
    EXPECT_EQ(body["code"].as_string(), "POLICY_REJECTED");
    EXPECT_NE(std::string(body["message"].as_string()).find("below its minimum 0"),
              std::string::npos)
        << negative.body;
    EXPECT_EQ(body["report"].at("problem").at("file").as_string(), "fees_test.lua");
    EXPECT_GT(body["report"].at("problem").at("line").as_int64(), 0);

    // A string where the schema declares an integer.
    auto text = put_fees(
        put_body(fees_with_gold("\"2500\""), fees_tests_pinning_gold("\"2500\"", "7500"), "quoted"),
        kEditor);
    ASSERT_EQ(text.status, 422) << text.body;
    EXPECT_NE(text.body.find("must be an integer, got a string"), std::string::npos) << text.body;

    // A change without its tests: the live tests pin 2000 and fail.
    auto untested = put_fees(
        boost::json::serialize(boost::json::object{{"source", fees_with_gold("2500")}}), kEditor);
    ASSERT_EQ(untested.status, 422) << untested.body;
    auto problem = json_of(untested)["report"].at("problem").as_object();
    EXPECT_EQ(problem["failingTest"].as_string(), "test_booking_fee_is_per_ticket");
    EXPECT_EQ(problem["file"].as_string(), "fees_test.lua");
    EXPECT_GT(problem["line"].as_int64(), 0);
    EXPECT_NE(std::string(problem["message"].as_string()).find("expected"), std::string::npos);

    expect_every_host_serves(2000);
    // Refusals are stored with their report.
    auto history = json_of(
        http_request(ports_[0], "GET", "/api/v1/admin/policies/fees/revisions", "", kEditor));
    std::size_t rejected = 0;
    for (const auto& item : history["items"].as_array()) {
        rejected += item.at("status") == "rejected";
    }
    EXPECT_EQ(rejected, 3u) << boost::json::serialize(history);
    pqxx::connection db(storage_.pg_url());
    pqxx::read_transaction tx(db);
    EXPECT_EQ(tx.exec("SELECT 1 FROM admit.event_outbox WHERE topic = 'policy.rejected'").size(),
              3u);
}

TEST_F(PolicyFleet, RollbackReachesEveryHost) {
    for (int i = 0; i < 2; ++i) start_host(venue_);
    const auto seeded = gold_fee(0).second;
    ASSERT_EQ(
        put_fees(put_body(fees_with_gold("2500"), fees_tests_pinning_gold("2500", "7500"), "raise"),
                 kEditor)
            .status,
        200);
    auto r = http_request(ports_[1], "POST", "/api/v1/admin/policies/fees/rollback",
                          R"({"revision":")" + seeded + R"("})", kEditor);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (gold_fee(0).first != 2000 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    expect_every_host_serves(2000);
    EXPECT_EQ(gold_fee(0).second, seeded);
}

TEST_F(PolicyFleet, RequireApprovalWaitsForASecondPerson) {
    start_host(write_temp_file("venue.toml", venue_text("require_approval = true\n")));
    ASSERT_EQ(ports_.size(), 1u);
    auto r = put_fees(
        put_body(fees_with_gold("2500"), fees_tests_pinning_gold("2500", "7500"), "needs review"),
        kAdmin);
    ASSERT_EQ(r.status, 202) << r.body;
    const std::string revision(json_of(r)["revision"].as_string());
    EXPECT_EQ(gold_fee(0).first, 2000);

    const std::string approve = "/api/v1/admin/policies/fees/revisions/" + revision + "/approve";
    auto own = http_request(ports_[0], "POST", approve, "{}", kAdmin);
    EXPECT_EQ(own.status, 403) << own.body;
    auto editor = http_request(ports_[0], "POST", approve, "{}", kEditor);
    EXPECT_EQ(editor.status, 403) << editor.body;  // approving is for admins
    auto second = http_request(ports_[0], "POST", approve, "{}", as("admin", "lee"));
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(json_of(second)["decidedBy"].as_string(), "admin:lee");
    EXPECT_EQ(gold_fee(0).first, 2500);

    auto again = http_request(ports_[0], "POST", approve, "{}", as("admin", "lee"));
    EXPECT_EQ(again.status, 404) << again.body;  // no longer pending
    auto reject =
        http_request(ports_[0], "POST", "/api/v1/admin/policies/fees/revisions/ffff/reject", "{}",
                     as("admin", "lee"));
    EXPECT_EQ(reject.status, 404) << reject.body;
}

TEST_F(PolicyFleet, AProductScopeOverridesTheVenueRevisionAndTheDecisionSaysWhichScopeDecided) {
    for (int i = 0; i < 2; ++i) start_host(venue_);
    auto body = boost::json::parse(put_body(fees_with_gold("1500"),
                                            fees_tests_pinning_gold("1500", "4500"), "p1 promo"))
                    .as_object();
    body["scope"] = "product/p1";
    auto r = put_fees(boost::json::serialize(body), kEditor);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string revision(json_of(r)["revision"].as_string());

    const auto decide = [&](std::size_t host, const std::string& scope) {
        boost::json::object input{{"kind", "booking"}, {"tier", "GOLD"}, {"quantity", 1}};
        if (!scope.empty()) input["scope"] = scope;
        auto answer = json_of(
            http_request(ports_[host], "POST", "/api/v1/admin/policies/fees/evaluate",
                         boost::json::serialize(boost::json::object{{"input", input}}), kEditor));
        return std::make_pair(answer["decision"].at("perTicket").as_int64(),
                              std::string(answer["scope"].as_string()));
    };
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (decide(1, "product/p1").first != 1500 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    for (std::size_t host = 0; host < 2; ++host) {
        EXPECT_EQ(decide(host, "product/p1/schedule/s9"), std::make_pair(1500L, "product/p1"s));
        EXPECT_EQ(decide(host, "product/p1"), std::make_pair(1500L, "product/p1"s));
        EXPECT_EQ(decide(host, "product/p10"), std::make_pair(2000L, ""s));
        EXPECT_EQ(decide(host, ""), std::make_pair(2000L, ""s));
    }
    auto history = json_of(http_request(
        ports_[0], "GET", "/api/v1/admin/policies/fees/revisions?scope=product/p1", "", kEditor));
    ASSERT_EQ(history["items"].as_array().size(), 1u) << boost::json::serialize(history);
    EXPECT_EQ(history["items"].as_array()[0].at("revision"), revision.c_str());

    body["scope"] = "product//p1";
    auto bad = put_fees(boost::json::serialize(body), kEditor);
    EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(PolicyFleet, BadRequestsAnswerTheErrorBody) {
    start_host(venue_);
    const auto check = [&](const HttpResult& r, int status, const std::string& code) {
        EXPECT_EQ(r.status, status) << r.body;
        auto body = json_of(r);
        EXPECT_EQ(body["code"], code.c_str()) << r.body;
        EXPECT_TRUE(body.contains("traceId")) << r.body;
    };
    check(put_fees("{not json", kEditor), 400, "INVALID_REQUEST");
    check(put_fees(R"({"tests":"x"})", kEditor), 400, "INVALID_REQUEST");
    check(put_fees(R"({"source":"fallback = {}","tests":5})", kEditor), 400, "INVALID_REQUEST");
    check(put_fees(R"({"source":"x"})", as("customer", "c1")), 403, "FORBIDDEN");
    check(http_request(ports_[0], "GET", "/api/v1/admin/policies/nope/revisions", "", kEditor), 404,
          "NOT_FOUND");
    check(http_request(ports_[0], "GET", "/api/v1/admin/policies/fees/revisions?limit=0", "",
                       kEditor),
          400, "INVALID_REQUEST");
    check(http_request(ports_[0], "GET", "/api/v1/admin/policies/fees/revisions?cursor=x", "",
                       kEditor),
          400, "INVALID_REQUEST");
    check(http_request(ports_[0], "GET", "/api/v1/admin/policies/fees/revisions/0000", "", kEditor),
          404, "NOT_FOUND");
    check(http_request(ports_[0], "POST", "/api/v1/admin/policies/fees/rollback",
                       R"({"revision":"0000"})", kEditor),
          404, "NOT_FOUND");
    check(http_request(ports_[0], "POST", "/api/v1/admin/policies/fees/rollback", "{}", kEditor),
          400, "INVALID_REQUEST");
    check(http_request(ports_[0], "PUT", "/api/v1/admin/policies/Bad-Name",
                       R"({"source":"fallback = {}"})", kEditor),
          400, "INVALID_REQUEST");
    check(put_fees(boost::json::serialize(
                       boost::json::object{{"source", "x"}, {"comment", std::string(2001, 'c')}}),
                   kEditor),
          400, "INVALID_REQUEST");
    const std::string shadow = "/api/v1/admin/policies/ratelimits/shadow";
    check(http_request(ports_[0], "POST", shadow, "{}", kEditor), 400, "INVALID_REQUEST");
    check(http_request(ports_[0], "POST", shadow, R"({"source":"x","limit":0})", kEditor), 400,
          "INVALID_REQUEST");
    check(http_request(ports_[0], "POST", shadow, R"({"source":"x","since":"yesterday"})", kEditor),
          400, "INVALID_REQUEST");
    check(http_request(ports_[0], "POST", "/api/v1/admin/policies/nope/shadow", R"({"source":"x"})",
                       kEditor),
          404, "NOT_FOUND");
    check(http_request(ports_[0], "POST", shadow, R"({"source":"function decide("})", kEditor), 422,
          "POLICY_REJECTED");
}

TEST_F(PolicyFleet, LiveDecisionsAreRecordedAndAShadowRunReplaysThem) {
    start_host(venue_);
    // Every request passes the rate-limit guard, which asks the ratelimits policy (sampled).
    const auto source = replaced(repository_file("ratelimits.lua"), "general = { limit = 300,",
                                 "general = { limit = 200,");
    const std::string body = boost::json::serialize(
        boost::json::object{{"source", source}, {"since", "1h"}, {"limit", 100}});
    boost::json::object report;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto r = http_request(ports_[0], "POST", "/api/v1/admin/policies/ratelimits/shadow", body,
                              kEditor);
        ASSERT_EQ(r.status, 200) << r.body;
        report = json_of(r);
        if (report["decisions"].as_int64() > 0) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_GT(report["decisions"].as_int64(), 0) << boost::json::serialize(report);
    EXPECT_EQ(report["changed"], report["decisions"]) << boost::json::serialize(report);
    const auto& field = report["fields"].as_array().at(0).as_object();
    EXPECT_EQ(field.at("field"), "limit");
    EXPECT_EQ(field.at("minDelta").to_number<double>(), -100);
    const auto& example = report["examples"].as_array().at(0).as_object();
    EXPECT_EQ(example.at("old").at("limit"), 300);
    EXPECT_EQ(example.at("new").at("limit"), 200);
    EXPECT_FALSE(example.at("traceId").as_string().empty());

    // The same from the console, against the venue's database.
    const auto candidate = write_temp_file("ratelimits.lua", source);
    auto cli =
        run_command(ADMIT_ADMITD_BINARY, {"--config", venue_.string(), "policy", "shadow",
                                          "ratelimits", candidate.string(), "--since", "1d"});
    ASSERT_EQ(cli.status, 0) << cli.output;
    auto printed = boost::json::parse(cli.output.substr(cli.output.rfind("{\"candidateRevision")));
    EXPECT_GT(printed.at("decisions").as_int64(), 0) << cli.output;
    EXPECT_EQ(printed.at("changed"), printed.at("decisions")) << cli.output;
    auto missing = run_command(ADMIT_ADMITD_BINARY, {"--config", venue_.string(), "policy",
                                                     "shadow", "ratelimits", "/nonexistent.lua"});
    EXPECT_EQ(missing.status, 1) << missing.output;
    EXPECT_NE(missing.output.find("cannot read /nonexistent.lua"), std::string::npos);
    auto bad_window =
        run_command(ADMIT_ADMITD_BINARY, {"--config", venue_.string(), "policy", "shadow",
                                          "ratelimits", candidate.string(), "--since", "soon"});
    EXPECT_NE(bad_window.status, 0) << bad_window.output;
    EXPECT_NE(bad_window.output.find("--since must look like"), std::string::npos);
}

TEST(PolicyWithoutDatabase, HistoryRoutesSayTheyNeedTheDatabase) {
    const auto venue =
        write_temp_file("venue.toml", venue_toml(TestVenue{.plugins = {"test_auth"}}, nullptr));
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", venue.string()});
    auto port = admitd.wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd.log();
    for (const auto& [method, path, body] : std::vector<std::array<std::string, 3>>{
             {"GET", "/api/v1/admin/policies/fees/revisions", ""},
             {"POST", "/api/v1/admin/policies/fees/rollback", R"({"revision":"aaaa"})"},
             {"POST", "/api/v1/admin/policies/fees/shadow", R"({"source":"x"})"},
             {"POST", "/api/v1/admin/policies/fees/revisions/aaaa/approve", "{}"}}) {
        auto r = http_request(*port, method, path, body, kAdmin);
        EXPECT_EQ(r.status, 409) << path << ": " << r.body;
        EXPECT_EQ(json_of(r)["code"], "POLICY_HISTORY_UNAVAILABLE") << r.body;
    }
    auto cli = run_command(ADMIT_ADMITD_BINARY, {"--config", venue.string(), "policy", "shadow",
                                                 "fees", venue.string()});
    EXPECT_EQ(cli.status, 2) << cli.output;
    EXPECT_NE(cli.output.find("needs the venue's [database]"), std::string::npos) << cli.output;
}

}  // namespace
}  // namespace admit::testing
