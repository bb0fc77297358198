// PgPool, execute() and run_transaction() against the private PostgreSQL of the test run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "host/store/pg_transaction.hpp"
#include "host/store/reconnect_gate.hpp"
#include "host/store/row_sinks.hpp"
#include "host/store/sql_exec.hpp"
#include "tests/store/pg_test_helpers.hpp"
#include "tests/support/log_capture.hpp"

namespace admit::store {
namespace {

using testing::CollectingSink;
using testing::Params;
using testing::test_pg_options;

class PgStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        schema_ = testsupport::fresh_schema_name("store_pg");
        table_ = schema_ + ".seats";
        ASSERT_TRUE(execute(pool_, "CREATE SCHEMA " + schema_, {}, nullptr).ok());
        auto created = execute(pool_,
                               "CREATE TABLE " + table_ +
                                   " (id int PRIMARY KEY, label text, qty int CHECK (qty >= 0))",
                               {}, nullptr);
        ASSERT_TRUE(created.ok()) << created.error().message;
    }
    void TearDown() override { testsupport::reset_database(); }

    Result<ExecResult> run(const std::string& sql, const Params& params = {},
                           RowSink* rows = nullptr) {
        return execute(pool_, sql, params, rows);
    }
    long long count_rows() {
        CollectingSink sink;
        auto r = run("SELECT count(*) FROM " + table_, {}, &sink);
        EXPECT_TRUE(r.ok());
        return std::stoll(sink.rows.at(0).at(0));
    }

    PgPool pool_{test_pg_options()};
    std::string schema_;
    std::string table_;
};

TEST_F(PgStoreTest, InsertsAndSelectsWithParametersAndNulls) {
    auto inserted =
        run("INSERT INTO " + table_ + " (id, label, qty) VALUES ($1, $2, $3), ($4, $5, $6)",
            {"1", "A-1", "2", "2", std::nullopt, std::nullopt});
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
    EXPECT_EQ(inserted->affected_rows, 2u);

    CollectingSink sink;
    auto selected =
        run("SELECT id, label, qty FROM " + table_ + " WHERE id >= $1 ORDER BY id", {"1"}, &sink);
    ASSERT_TRUE(selected.ok()) << selected.error().message;
    EXPECT_EQ(selected->affected_rows, 2u);
    EXPECT_EQ(sink.columns, (std::vector<std::string>{"id", "label", "qty"}));
    ASSERT_EQ(sink.rows.size(), 2u);
    EXPECT_EQ(sink.rows[0], (std::vector<std::string>{"1", "A-1", "2"}));
    EXPECT_EQ(sink.rows[1], (std::vector<std::string>{"2", "<null>", "<null>"}));
}

TEST_F(PgStoreTest, ParametersAreNeverInterpolated) {
    const std::string hostile = "x'); DROP TABLE " + table_ + "; --";
    ASSERT_TRUE(run("INSERT INTO " + table_ + " (id, label) VALUES (1, $1)", {hostile}).ok());
    CollectingSink sink;
    ASSERT_TRUE(run("SELECT label FROM " + table_, {}, &sink).ok());
    EXPECT_EQ(sink.rows.at(0).at(0), hostile);
}

TEST_F(PgStoreTest, ParameterWithNulByteIsRefused) {
    auto refused = run("SELECT $1::text", {std::string("a\0b", 3)});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "INVALID_ARGUMENT");
    EXPECT_NE(refused.error().message.find("$1"), std::string::npos);
}

TEST_F(PgStoreTest, EmptyResultStillReportsColumns) {
    CollectingSink sink;
    ASSERT_TRUE(run("SELECT id, label FROM " + table_ + " WHERE id = $1", {"42"}, &sink).ok());
    EXPECT_EQ(sink.column_calls, 1);
    EXPECT_EQ(sink.columns.size(), 2u);
    EXPECT_TRUE(sink.rows.empty());
}

TEST_F(PgStoreTest, MapsUniqueViolationToConflict) {
    ASSERT_TRUE(run("INSERT INTO " + table_ + " (id) VALUES ($1)", {"7"}).ok());
    auto again = run("INSERT INTO " + table_ + " (id) VALUES ($1)", {"7"});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "CONFLICT");
    EXPECT_NE(again.error().message.find("duplicate key"), std::string::npos)
        << again.error().message;
}

TEST_F(PgStoreTest, MapsCheckViolationToConstraint) {
    auto bad = run("INSERT INTO " + table_ + " (id, qty) VALUES ($1, $2)", {"1", "-1"});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "CONSTRAINT");
}

TEST_F(PgStoreTest, MapsSyntaxAndUndefinedToSqlErrorWithServerMessage) {
    auto syntax = run("SELEC 1");
    ASSERT_FALSE(syntax.ok());
    EXPECT_EQ(syntax.error().code, "SQL_ERROR");
    EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos)
        << syntax.error().message;

    auto undefined = run("SELECT nope FROM " + table_);
    ASSERT_FALSE(undefined.ok());
    EXPECT_EQ(undefined.error().code, "SQL_ERROR");
    EXPECT_NE(undefined.error().message.find("nope"), std::string::npos)
        << undefined.error().message;
}

TEST_F(PgStoreTest, MapsStatementTimeoutToTimeout) {
    auto options = test_pg_options(1);
    options.statement_timeout = std::chrono::milliseconds{100};
    PgPool short_pool(options);
    const auto started = std::chrono::steady_clock::now();
    auto slow = execute(short_pool, "SELECT pg_sleep(5)", {}, nullptr);
    ASSERT_FALSE(slow.ok());
    EXPECT_EQ(slow.error().code, "TIMEOUT") << slow.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{2});
    // The connection stays usable after a cancelled statement.
    EXPECT_TRUE(execute(short_pool, "SELECT 1", {}, nullptr).ok());
}

TEST_F(PgStoreTest, PreparesEachStatementOncePerConnection) {
    PgPool one(test_pg_options(1));
    const std::string sql = "SELECT id FROM " + table_ + " WHERE id = $1";
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(execute(one, sql, Params{std::to_string(i)}, nullptr).ok());

    CollectingSink sink;
    ASSERT_TRUE(execute(one, "SELECT count(*) FROM pg_prepared_statements WHERE name = $1",
                        Params{prepared_statement_name(sql)}, &sink)
                    .ok());
    EXPECT_EQ(sink.rows.at(0).at(0), "1");
    EXPECT_EQ(one.open_connections(), 1u);
}

// The host's own per-event statements (exec_prepared): prepared once per connection, and from
// the sixth execution on served by the generic plan, so that a queue poll no longer plans (and
// no longer probes the index's end through dead entries, sql_exec.hpp). The query has the shape
// of the delivery dispatcher's poll: a range above a floor, in index order, with a limit.
TEST_F(PgStoreTest, HostStatementsArePreparedOnceAndStopBeingPlannedPerCall) {
    for (int id = 1; id <= 50; ++id)
        ASSERT_TRUE(
            run("INSERT INTO " + table_ + " (id, qty) VALUES ($1, 1)", Params{std::to_string(id)})
                .ok());
    PgPool one(test_pg_options(1));
    const std::string sql = "SELECT id FROM " + table_ + " WHERE id > $1 ORDER BY id LIMIT $2";
    std::vector<std::string> firsts;
    std::string custom_plans, generic_plans, prepared;
    auto status = run_transaction(one, [&](pqxx::work& tx) -> Status {
        for (int floor = 0; floor < 10; ++floor)
            firsts.push_back(exec_prepared(tx, sql, floor * 5, 2)[0][0].as<std::string>());
        const auto stats = tx.exec_params(
            "SELECT custom_plans, generic_plans, count(*) OVER () FROM pg_prepared_statements "
            "WHERE name = $1",
            prepared_statement_name(sql));
        if (stats.size() != 1) return Error{ErrorCode::INTERNAL, "not prepared once"};
        custom_plans = stats[0][0].as<std::string>();
        generic_plans = stats[0][1].as<std::string>();
        prepared = stats[0][2].as<std::string>();
        return {};
    });
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(firsts,
              (std::vector<std::string>{"1", "6", "11", "16", "21", "26", "31", "36", "41", "46"}));
    EXPECT_EQ(prepared, "1");
    // PostgreSQL plans the first five executions for their values, then compares costs once and
    // keeps the generic plan: at most five plans for ten executions.
    EXPECT_EQ(custom_plans, "5");
    EXPECT_EQ(generic_plans, "5");
}

TEST_F(PgStoreTest, TransactionCommitsOnOk) {
    auto status = run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        for (int id : {1, 2}) {
            auto r = execute(tx, "INSERT INTO " + table_ + " (id) VALUES ($1)",
                             Params{std::to_string(id)}, nullptr);
            if (!r) return r.error();
        }
        return {};
    });
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(count_rows(), 2);
}

TEST_F(PgStoreTest, TransactionRollsBackOnError) {
    auto status = run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto r = execute(tx, "INSERT INTO " + table_ + " (id) VALUES (1)", {}, nullptr);
        if (!r) return r.error();
        return Error{ErrorCode::ABORTED, "changed my mind"};
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::ABORTED);
    EXPECT_EQ(count_rows(), 0);
}

TEST_F(PgStoreTest, TransactionRollsBackOnFailedStatement) {
    ASSERT_TRUE(run("INSERT INTO " + table_ + " (id) VALUES (1)").ok());
    auto status = run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto first = execute(tx, "INSERT INTO " + table_ + " (id) VALUES (2)", {}, nullptr);
        if (!first) return first.error();
        auto dup = execute(tx, "INSERT INTO " + table_ + " (id) VALUES (1)", {}, nullptr);
        if (!dup) return dup.error();
        return {};
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "CONFLICT");
    EXPECT_EQ(count_rows(), 1);
}

TEST_F(PgStoreTest, TransactionRollsBackOnExceptionAndReportsInternal) {
    auto status = run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto r = execute(tx, "INSERT INTO " + table_ + " (id) VALUES (1)", {}, nullptr);
        if (!r) return r.error();
        throw std::runtime_error("boom in body");
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "INTERNAL");
    EXPECT_EQ(status.error().message, "boom in body");
    EXPECT_EQ(count_rows(), 0);
    EXPECT_TRUE(run("SELECT 1").ok());  // the pool still works
}

TEST_F(PgStoreTest, ExhaustedPoolFailsAfterAcquireTimeout) {
    PgPool two(test_pg_options(2));
    auto a = two.acquire();
    auto b = two.acquire();
    ASSERT_TRUE(a.ok() && b.ok());
    const auto started = std::chrono::steady_clock::now();
    auto c = two.acquire();
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, "POOL_EXHAUSTED");
    EXPECT_GE(waited, std::chrono::milliseconds{250});
    EXPECT_LT(waited, std::chrono::seconds{2});
}

TEST_F(PgStoreTest, WaitingAcquireGetsAReleasedConnection) {
    PgPool one(test_pg_options(1));
    auto held = one.acquire();
    ASSERT_TRUE(held.ok());
    std::thread releaser([lease = std::move(held).value()]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});  // the waiter must block first
        PgLease gone = std::move(lease);
    });
    auto next = one.acquire();
    releaser.join();
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(one.open_connections(), 1u);
}

TEST_F(PgStoreTest, DiscardedLeaseIsNotReused) {
    PgPool one(test_pg_options(1));
    int first_pid = 0;
    {
        auto lease = one.acquire();
        ASSERT_TRUE(lease.ok());
        first_pid = lease->conn().backendpid();
        lease->discard();
    }
    EXPECT_EQ(one.open_connections(), 0u);
    auto lease = one.acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_NE(lease->conn().backendpid(), first_pid);
}

TEST_F(PgStoreTest, UnreachableServerFailsFastWithDependencyUnavailable) {
    PgOptions options = test_pg_options(2);
    options.url = "postgresql://admit@127.0.0.1:1/admit";  // nothing listens on port 1
    PgPool dead(options);
    for (int i = 0; i < 3; ++i) {
        const auto started = std::chrono::steady_clock::now();
        auto lease = dead.acquire();
        ASSERT_FALSE(lease.ok());
        EXPECT_EQ(lease.error().code, "DEPENDENCY_UNAVAILABLE");
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{500});
    }
    EXPECT_FALSE(dead.healthy());
    EXPECT_FALSE(dead.ping().ok());
}

TEST_F(PgStoreTest, ConcurrentUsersShareABoundedPool) {
    auto options = test_pg_options(3);
    options.acquire_timeout = std::chrono::seconds{5};
    PgPool shared(options);
    constexpr int kThreads = 8;
    constexpr int kInsertsEach = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> users;
    for (int t = 0; t < kThreads; ++t) {
        users.emplace_back([&, t] {
            for (int i = 0; i < kInsertsEach; ++i) {
                const std::string id = std::to_string(t * 1000 + i);
                if (!execute(shared, "INSERT INTO " + table_ + " (id) VALUES ($1)", Params{id},
                             nullptr)) {
                    ++failures;
                }
                if (shared.open_connections() > 3) ++failures;
            }
        });
    }
    for (auto& u : users) u.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(count_rows(), kThreads * kInsertsEach);
    EXPECT_LE(shared.open_connections(), 3u);
}

TEST_F(PgStoreTest, RowSinksForwardAndCollect) {
    CollectingRowSink collected;
    ASSERT_TRUE(run("SELECT 'a' AS x, NULL::text AS y", {}, &collected).ok());
    EXPECT_EQ(collected.columns, (std::vector<std::string>{"x", "y"}));
    ASSERT_EQ(collected.rows.size(), 1u);
    EXPECT_EQ(collected.rows[0][0], std::optional<std::string>("a"));
    EXPECT_EQ(collected.rows[0][1], std::nullopt);

    int rows = 0;
    CallbackRowSink counted({}, [&](auto) { ++rows; });
    ASSERT_TRUE(run("SELECT generate_series(1, 3)", {}, &counted).ok());
    EXPECT_EQ(rows, 3);
}

TEST_F(PgStoreTest, ExceptionInsideRowSinkIsInternal) {
    CallbackRowSink throwing({}, [](auto) { throw std::runtime_error("sink broke"); });
    auto result = run("SELECT 1", {}, &throwing);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "INTERNAL");
    EXPECT_TRUE(run("SELECT 1").ok());
}

TEST_F(PgStoreTest, PingMarksHealthy) {
    EXPECT_TRUE(pool_.ping().ok());
    EXPECT_TRUE(pool_.healthy());
}

// Readiness asks ping(): a pool whose every connection is leased to requests is busy, not down.
// The ping has a connection of its own, so it neither waits for acquire_timeout nor fails.
TEST_F(PgStoreTest, PingAnswersWhileEveryPooledConnectionIsLeased) {
    PgOptions options = test_pg_options(1);
    options.acquire_timeout = std::chrono::seconds{3};
    PgPool busy(options);
    ASSERT_TRUE(busy.ping().ok());  // nothing succeeded yet: the ping opens its own connection
    auto leased = busy.acquire();
    ASSERT_TRUE(leased.ok()) << leased.error().message;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        auto pinged = busy.ping();
        EXPECT_TRUE(pinged.ok()) << pinged.error().message;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, options.acquire_timeout);
    EXPECT_TRUE(busy.healthy());
    EXPECT_EQ(busy.open_connections(), 1u);  // the pool's one; the ping's is its own
}

// ping() takes a recent success of the pool as its answer while it has no connection of its own;
// only a success that is recent and not followed by a failure counts.
TEST(ReconnectGateTest, ARecentSuccessCountsOnlyWithinItsWindowAndWhileHealthy) {
    using std::chrono::milliseconds;
    ReconnectGate gate("PostgreSQL", milliseconds{10}, milliseconds{20});
    EXPECT_FALSE(gate.succeeded_within(std::chrono::hours{1}));  // nothing succeeded yet
    gate.succeeded();
    EXPECT_TRUE(gate.succeeded_within(std::chrono::hours{1}));
    EXPECT_FALSE(gate.succeeded_within(milliseconds{0}));  // an empty window holds nothing
    gate.connection_lost();
    EXPECT_FALSE(gate.succeeded_within(std::chrono::hours{1}));
    gate.request_succeeded();
    EXPECT_TRUE(gate.succeeded_within(std::chrono::hours{1}));
    (void)gate.failed("connection refused");
    EXPECT_FALSE(gate.succeeded_within(std::chrono::hours{1}));
}

// A probe every 100-200 ms during a long outage must not fill the log: one warning per outage
// and per new reason (then one every 10 s), and a new outage warns again.
TEST(ReconnectGateTest, AnOutageWarnsOncePerReasonNotOncePerProbe) {
    using std::chrono::milliseconds;
    testsupport::LogCapture log;
    ReconnectGate gate("PostgreSQL", milliseconds{1}, milliseconds{1});
    const auto probe_fails = [&](const std::string& reason) {
        while (gate.begin_attempt().has_value()) std::this_thread::yield();  // the backoff ends
        (void)gate.failed(reason);
    };
    for (int i = 0; i < 5; ++i) probe_fails("Connection refused");
    EXPECT_EQ(log.count("PostgreSQL connect failed (Connection refused)"), 1u);
    for (int i = 0; i < 5; ++i) probe_fails("the database system is starting up");
    EXPECT_EQ(log.count("PostgreSQL connect failed (the database system is starting up)"), 1u);
    gate.succeeded();
    EXPECT_EQ(log.count("PostgreSQL reachable again"), 1u);
    probe_fails("Connection refused");  // the next outage
    EXPECT_EQ(log.count("PostgreSQL connect failed (Connection refused)"), 2u);
    EXPECT_EQ(log.count("connect failed"), 3u);
}

}  // namespace
}  // namespace admit::store
