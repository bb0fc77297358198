// Access to the private PostgreSQL and Redis that the CTest fixture `admit_servers` starts
// (scripts/lib/servers.sh on <build>/run/test-servers). See tests/support/README.md.
//
// Thread-safety: test_servers() and fresh_*() are thread-safe; the stop/start helpers are meant
// for one test at a time (such tests must be RUN_SERIAL: they disturb every other test).
#pragma once

#include <string>
#include <string_view>

namespace admit::testsupport {

struct TestServers {
    std::string pg_url;  // libpq URI of database `admit` as role `admit`
    int pg_port = 0;
    std::string redis_host;
    int redis_port = 0;
    std::string servers_script;  // scripts/lib/servers.sh
    std::string run_dir;         // RUNDIR given to servers.sh
};

// Reads RUNDIR/servers.env once (RUNDIR from the build, or the environment variable
// ADMIT_TEST_SERVERS_RUNDIR). Throws std::runtime_error naming the fix when it is missing.
const TestServers& test_servers();

// Run servers.sh redis-stop / redis-start / pg-stop / pg-start; each returns when done (the start
// helpers when the server accepts connections). Throw std::runtime_error on failure.
void stop_redis();
void start_redis();
void stop_postgres();
void start_postgres();

// A schema name no other test process uses: "<prefix>_<pid>_<n>" (lower case). The schema is
// not created; reset_database() drops it.
std::string fresh_schema_name(std::string_view prefix = "t");
// A Redis key prefix no other test process uses: "<prefix>:<pid>:<n>:".
std::string fresh_key_prefix(std::string_view prefix = "t");

// Drops (CASCADE) every schema this process got from fresh_schema_name() and deletes their rows
// (owner = schema name) from admit.schema_migrations. Other processes' data is left alone, so
// test executables may run in parallel.
void reset_database();

}  // namespace admit::testsupport
