// The bus's health, which /readyz reports: what it counts as failing and what it does not.
#include <pqxx/pqxx>

#include "tests/events/event_bus_fixture.hpp"

namespace admit::events::testing {
namespace {

using namespace std::chrono_literals;

// Makes this test's database refuse new connections (or accept them again); open ones go on.
void allow_connections(const TestDatabase& database, bool allowed) {
    pqxx::connection admin(database.admin_url());
    pqxx::nontransaction tx(admin);
    tx.exec("ALTER DATABASE " + tx.quote_name(database.name()) + " ALLOW_CONNECTIONS " +
            (allowed ? "true" : "false"));
}

// Ends this database's backends whose last statement starts with `statement_prefix` ("" for
// all); returns how many.
int terminate_backends(const TestDatabase& database, const std::string& statement_prefix) {
    pqxx::connection admin(database.admin_url());
    pqxx::nontransaction tx(admin);
    const auto rows = tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE $2 || '%'",
        database.name(), statement_prefix);
    return static_cast<int>(rows.size());
}

// Opens `count` pooled connections at once and returns them to the pool, so that the bus and
// the test find open ones while the database refuses new connections.
void open_pooled_connections(store::PgPool& pool, std::size_t count) {
    std::vector<store::PgLease> leases;
    for (std::size_t i = 0; i < count; ++i) {
        auto lease = pool.acquire();
        ASSERT_TRUE(lease.ok()) << lease.error().message;
        leases.push_back(std::move(lease).value());
    }
}

// The LISTEN connection only saves the relay its poll: losing it (a PostgreSQL restart, before
// the relay listens again) must not take the instance out of the balancer. Events are still
// relayed and delivered, by polling, and the relay listens again once it can.
TEST_P(EventBusTest, ALostListenConnectionLeavesTheBusHealthyAndDeliveringByPolling) {
    auto bus = make_bus({"seats"});
    ASSERT_TRUE(bus->subscribe({"seats", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return bus->healthy() && bus->relay_listening(); }))
        << describe(*bus);
    open_pooled_connections(*pool_, 12);

    allow_connections(*database_, false);
    ASSERT_EQ(terminate_backends(*database_, "LISTEN"), 1);
    ASSERT_TRUE(wait_until([&] { return !bus->relay_listening(); })) << describe(*bus);

    publish_committed(*bus, *pool_, "seats", "k", "while not listening");
    ASSERT_TRUE(wait_until([&] { return effects("s") == 1; })) << describe(*bus);
    EXPECT_TRUE(bus->healthy()) << bus->health_problem();
    EXPECT_EQ(bus->health_problem(), "");
    EXPECT_FALSE(bus->relay_listening()) << "the database still refuses new connections";

    allow_connections(*database_, true);
    EXPECT_TRUE(wait_until([&] { return bus->relay_listening(); })) << describe(*bus);
    bus->stop();
}

// While its database is gone the bus is unhealthy and says which part failed first; once the
// database is back it is healthy and delivers what was published meanwhile.
TEST_P(EventBusTest, WhileItsDatabaseIsGoneTheBusNamesTheFailingPart) {
    auto bus = make_bus({"seats"});
    ASSERT_TRUE(bus->subscribe({"seats", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return bus->healthy(); })) << describe(*bus);

    allow_connections(*database_, false);
    terminate_backends(*database_, "");
    ASSERT_TRUE(wait_until([&] { return bus->health_problem() == "relay: its last pass failed"; }))
        << bus->health_problem() << "; " << describe(*bus);
    EXPECT_FALSE(bus->healthy());

    allow_connections(*database_, true);
    // The pool's reconnect backoff may still turn the first tries away.
    ASSERT_TRUE(wait_until([&] {
        try {
            publish_committed(*bus, *pool_, "seats", "k", "after the return");
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }));
    ASSERT_TRUE(wait_until([&] { return effects("s") == 1; })) << describe(*bus);
    EXPECT_TRUE(wait_until([&] { return bus->healthy(); })) << bus->health_problem();
    bus->stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, EventBusTest, ::testing::Values(Backend::inproc, Backend::kafka),
                         backend_name);

}  // namespace
}  // namespace admit::events::testing
