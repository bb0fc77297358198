// Transactions, events delivered on commit only, db/redis answerers, policies, jobs, metrics and
// registration rules, through two small plugins loaded in one FakeHost.
#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace {

using admit::sdk::Error;
using admit::sdk::Host;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;
using admit::sdk::Tx;

/// POST /api/v1/ledger {"amount": n, "outcome": "commit" | "error" | "throw"}
class LedgerPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        host_ = &host;
        ADMIT_TRY_ASSIGN(entries_, host.gauge("entries", "Entries written"));
        (void)host.redis().register_script("bump", "return redis.call('INCR', KEYS[1])");
        (void)host.delayed_job("settle", [this](std::string_view payload) -> Status {
            settled_ += std::string(payload) + ";";
            return {};
        });
        (void)host.route("POST", "/api/v1/ledger", "public", &LedgerPlugin::write, this);
        (void)host.route("GET", "/api/v1/ledger/fee", "public", &LedgerPlugin::fee, this);
        (void)host.route("GET", "/api/v1/ledger/cache", "public", &LedgerPlugin::cache, this);
        (void)host.route("GET", "/api/v1/ledger/audit", "admin, staff", [](const Request& r) {
            return Response::json(200, {{"role", r.principal().primary_role()}});
        });
        (void)host.route("GET", "/api/v1/ledger/settled", "public", [this](const Request&) {
            return Response::json(200, {{"settled", settled_}});
        });
        return {};
    }

    Status start() override {
        late_registration_ = host_->route("GET", "/api/v1/late", "public",
                                          [](const Request&) { return Response{}; });
        return {};
    }

    Status health(std::string& detail) override {
        detail = late_registration_.ok()
                     ? "late registration accepted"
                     : std::string(admit::sdk::status_name(late_registration_.status()));
        return {};
    }

  private:
    Response write(const Request& request) {
        auto body = request.json_object();
        if (!body) return Response::from_error(body.error());
        auto amount = admit::sdk::fields::required_int(*body, "amount");
        if (!amount) return Response::from_error(amount.error());
        const std::string outcome =
            admit::sdk::fields::optional_string(*body, "outcome")->value_or("commit");
        std::string id;
        Status status = host_->db().transaction([&](Tx& tx) -> Status {
            auto rows =
                tx.exec("INSERT INTO ledger.entries(amount) VALUES ($1) RETURNING id", *amount);
            if (!rows) return std::move(rows).error();
            id = rows->front().text("id");
            if (auto s = tx.publish("ledger.entry", id, {{"id", id}, {"amount", *amount}},
                                    request.principal().subject());
                !s)
                return s;
            if (auto s = tx.enqueue("settle", host_->now_us() + 1'000'000, id); !s) return s;
            if (outcome == "sealed" || outcome == "seal_error") {
                // Before-commit work: runs after the body, on the same transaction.
                if (auto s = tx.before_commit([&, outcome](Tx& end) -> Status {
                        if (outcome == "seal_error") return Error::conflict("seal refused");
                        return end.publish("ledger.sealed", id, {{"id", id}}, "");
                    });
                    !s)
                    return s;
            }
            if (outcome == "error") return Error::conflict("refused by the test");
            if (outcome == "throw") throw std::runtime_error("thrown by the test");
            return {};
        });
        if (!status) return Response::from_error(status.error());
        entries_.set(static_cast<double>(++written_));
        return Response::json(201, {{"id", id}});
    }

    Response fee(const Request&) {
        auto decision = host_->policy("fees", {{"amount", 100}});
        if (!decision) return Response::from_error(decision.error());
        return Response::json(200,
                              {{"decision", decision->decision}, {"revision", decision->revision}});
    }

    Response cache(const Request&) {
        auto value = host_->redis().command({"GET", "cache:key"});
        if (!value) return Response::from_error(value.error());
        auto bumped = host_->redis().eval("bump", {"counter"}, {"1"});
        if (!bumped) return Response::from_error(bumped.error());
        return Response::json(200, {{"value", value->str}, {"bumped", bumped->integer}});
    }

    Host* host_ = nullptr;
    admit::sdk::Metric entries_;
    int written_ = 0;
    std::string settled_;
    Status late_registration_;
};

/// Counts ledger events; offers audit.count; publishes a follow-up event from its subscriber.
class AuditPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        if (auto s = host.subscribe(
                "ledger.*", "audit-ledger",
                [this](Tx& tx, const admit::sdk::Event& event) -> Status {
                    auto payload = event.json();
                    if (!payload) return std::move(payload).error();
                    ++seen_;
                    return tx.publish("audit.recorded", event.key(), {{"of", event.id()}});
                });
            !s)
            return s;
        if (auto s = host.subscribe("audit.recorded", "audit-self",
                                    [this](Tx&, const admit::sdk::Event&) -> Status {
                                        ++follow_ups_;
                                        return {};
                                    });
            !s)
            return s;
        return host.provide(
            "audit.count",
            [this](const boost::json::value&,
                   const admit::sdk::Principal& caller) -> Result<boost::json::value> {
                return boost::json::value{
                    {"seen", seen_}, {"followUps", follow_ups_}, {"caller", caller.subject()}};
            });
    }

  private:
    int seen_ = 0;
    int follow_ups_ = 0;
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(ledger, LedgerPlugin, "2.0.0");
ADMIT_PLUGIN_DESCRIPTOR(audit, AuditPlugin, "1.0.0", ADMIT_DEPENDS("ledger"));

namespace {

class EventsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.set_db([this](const admit::testing::DbCall& call) -> Result<admit::sdk::Rows> {
            calls.push_back(call);
            admit::sdk::Rows rows;
            rows.columns = {"id"};
            rows.values.push_back({"e" + std::to_string(calls.size())});
            rows.affected = 1;
            return rows;
        });
        ASSERT_TRUE(fake.load(admit_plugin_descriptor_ledger()).ok());
        ASSERT_TRUE(fake.load(admit_plugin_descriptor_audit()).ok());
        ASSERT_TRUE(fake.start_all().ok());
    }

    boost::json::value audit_count() {
        const auto caller = admit::testing::TestPrincipal::user("auditor", "admin");
        auto result = fake.call("audit.count", {}, &caller);
        EXPECT_TRUE(result.ok());
        return result.ok() ? *result : boost::json::value{};
    }

    admit::testing::FakeHost fake;
    std::vector<admit::testing::DbCall> calls;
};

TEST_F(EventsTest, CommitDeliversEventsAndTheirFollowUps) {
    auto response = fake.request("POST", "/api/v1/ledger", R"({"amount": 250})");
    ASSERT_EQ(response.status, 201) << response.body;
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_TRUE(calls[0].in_transaction);
    EXPECT_EQ(calls[0].params, (std::vector<std::optional<std::string>>{"250"}));
    EXPECT_EQ(audit_count(),
              (boost::json::value{{"seen", 1}, {"followUps", 1}, {"caller", "auditor"}}));
    ASSERT_EQ(fake.committed_events().size(), 2u);
    EXPECT_EQ(fake.committed_events()[0].topic, "ledger.entry");
    EXPECT_EQ(fake.committed_events()[0].key, "e1");
    EXPECT_EQ(fake.committed_events()[1].topic, "audit.recorded");
    EXPECT_EQ(fake.metric("ledger", "entries"), 1.0);
    // Tx::publish stamped the envelope: an anonymous caller is "system"; the time is the host's.
    const auto payload = boost::json::parse(fake.committed_events()[0].payload).as_object();
    EXPECT_EQ(payload.at("actor"), "system");
    EXPECT_EQ(payload.at("at").as_string(), admit::sdk::format_rfc3339(fake.now_us(), true));
    EXPECT_EQ(payload.at("amount"), 250);
}

TEST_F(EventsTest, ErrorOrExceptionRollsBackAndDeliversNothing) {
    auto refused = fake.request("POST", "/api/v1/ledger", R"({"amount": 1, "outcome": "error"})");
    EXPECT_EQ(refused.status, 409);
    auto thrown = fake.request("POST", "/api/v1/ledger", R"({"amount": 1, "outcome": "throw"})");
    EXPECT_EQ(thrown.status, 500);
    EXPECT_TRUE(fake.committed_events().empty());
    EXPECT_TRUE(fake.enqueued_jobs().empty())
        << "jobs enqueued in a rolled-back transaction vanish";
    EXPECT_EQ(audit_count().at("seen"), 0);
}

TEST_F(EventsTest, BeforeCommitWorkRunsAfterTheBodyAndItsErrorRollsBackEverything) {
    auto sealed = fake.request("POST", "/api/v1/ledger", R"({"amount": 2, "outcome": "sealed"})");
    ASSERT_EQ(sealed.status, 201) << sealed.body;
    ASSERT_GE(fake.committed_events().size(), 2u);
    EXPECT_EQ(fake.committed_events()[0].topic, "ledger.entry");
    EXPECT_EQ(fake.committed_events()[1].topic, "ledger.sealed");  // after the body's event
    const auto before = fake.committed_events().size();
    auto refused =
        fake.request("POST", "/api/v1/ledger", R"({"amount": 3, "outcome": "seal_error"})");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(fake.committed_events().size(), before) << "the body's event went with it";
    EXPECT_EQ(fake.enqueued_jobs().size(), 1u) << "only the first transaction's job";
}

TEST_F(EventsTest, JobsEnqueuedInATransactionRunWhenDue) {
    ASSERT_EQ(fake.request("POST", "/api/v1/ledger", R"({"amount": 5})").status, 201);
    ASSERT_EQ(fake.enqueued_jobs().size(), 1u);
    EXPECT_TRUE(fake.enqueued_jobs()[0].in_transaction);
    EXPECT_EQ(fake.run_due_jobs(), 0u) << "not due yet";
    fake.advance(std::chrono::seconds(1));
    EXPECT_EQ(fake.run_due_jobs(), 1u);
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/settled").json().at("settled"), "e1;");
}

TEST_F(EventsTest, DatabaseErrorsComeBackAsStatuses) {
    fake.set_db([](const admit::testing::DbCall&) -> Result<admit::sdk::Rows> {
        return Error{ADMIT_E_UNAVAILABLE, "postgres is down"};
    });
    auto response = fake.request("POST", "/api/v1/ledger", R"({"amount": 5})");
    EXPECT_EQ(response.status, 503);
    EXPECT_EQ(response.body.find("postgres"), std::string::npos)
        << "the detail stays out of the body";
    EXPECT_TRUE(fake.logged("UNAVAILABLE: postgres is down")) << "but reaches the log";
    EXPECT_TRUE(fake.committed_events().empty());
}

TEST(FakeDefaults, DatabaseAndRedisAreUnsupportedUntilInstalled) {
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_ledger()).ok());
    EXPECT_EQ(fake.request("POST", "/api/v1/ledger", R"({"amount": 5})").status, 500);
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/cache").status, 500);
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/fee").status, 404)
        << "no policy scripted: NOT_FOUND";
}

TEST_F(EventsTest, PoliciesAreScriptedByTheTest) {
    fake.set_policy(
        "fees",
        [](const boost::json::value& input) -> Result<boost::json::value> {
            return boost::json::value{{"fee", input.at("amount").as_int64() / 10}};
        },
        "rev-42");
    auto response = fake.request("GET", "/api/v1/ledger/fee");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.json(),
              (boost::json::value{{"decision", {{"fee", 10}}}, {"revision", "rev-42"}}));
}

TEST_F(EventsTest, RedisCommandsAndScriptsAreAnsweredByTheTest) {
    std::vector<std::vector<std::string>> seen;
    fake.set_redis([&](const std::vector<std::string>& argv) -> Result<admit::sdk::RedisReply> {
        seen.push_back(argv);
        admit::sdk::RedisReply reply;
        if (argv[0] == "GET") {
            reply.type = admit::sdk::RedisReply::Type::string;
            reply.str = "cached";
        } else {
            reply.type = admit::sdk::RedisReply::Type::integer;
            reply.integer = 7;
        }
        return reply;
    });
    auto response = fake.request("GET", "/api/v1/ledger/cache");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.json(), (boost::json::value{{"value", "cached"}, {"bumped", 7}}));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1], (std::vector<std::string>{"EVAL", "bump", "1", "counter", "1"}));
}

TEST_F(EventsTest, RolesAreEnforcedBeforeTheHandler) {
    using admit::testing::TestPrincipal;
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/audit").status, 401);
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/audit").error_code(), "UNAUTHENTICATED");
    EXPECT_EQ(fake.request("GET", "/api/v1/ledger/audit", {}, TestPrincipal::user("u", "customer"))
                  .status,
              403);
    auto staff = fake.request("GET", "/api/v1/ledger/audit", {}, TestPrincipal::user("u", "staff"));
    EXPECT_EQ(staff.status, 200);
    EXPECT_EQ(staff.json().at("role"), "staff");
}

TEST_F(EventsTest, RegistrationAfterInitIsRefused) {
    std::string detail;
    ASSERT_TRUE(fake.health("ledger", &detail).ok());
    EXPECT_EQ(detail, "STATE");
    EXPECT_EQ(fake.request("GET", "/api/v1/late").status, 404);
}

}  // namespace
