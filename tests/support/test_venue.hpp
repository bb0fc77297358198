// Venue files for end-to-end tests that run a real admitd against the test servers.
#pragma once

#include <string>
#include <vector>

namespace admit::testing {

struct TestVenue {
    std::vector<std::string> plugins;  // load order as given (admitd sorts by dependencies)
    std::string plugin_dir = ADMIT_TEST_PLUGIN_DIR;  // where the build puts plugin libraries
    bool manual_clock = false;
    std::string events_toml;  // extra key = value lines of the [events] table
    std::string extra_toml;   // appended verbatim ([plugin.x] sections, ...)
    std::string server_toml;  // extra key = value lines of the [server] table
    unsigned workers = 8;     // [server] workers: handler threads
    // With "auth" loaded: `[plugin.auth] development_keys = true` (signing keys generated and kept
    // in the test's database), added to extra_toml's [plugin.auth] section when it has one.
    bool auth_development_keys = true;
};

// Storage of its own for one end-to-end test: a fresh PostgreSQL database on the fixture's server
// and a private redis-server process on a free loopback port, so tests running in parallel never
// see each other's rows, outbox events or keys. The destructor stops the Redis process and drops
// the database.
class IsolatedStorage {
  public:
    IsolatedStorage();
    ~IsolatedStorage();
    IsolatedStorage(const IsolatedStorage&) = delete;
    IsolatedStorage& operator=(const IsolatedStorage&) = delete;

    const std::string& pg_url() const { return pg_url_; }
    int redis_port() const { return redis_port_; }
    // Stops / restarts the private Redis (same port, empty data), for fault tests.
    void stop_redis();
    void start_redis();

  private:
    std::string database_;
    std::string pg_url_;
    int redis_port_ = 0;
    int redis_pid_ = -1;
};

// A complete venue file: ephemeral port, the given storage (or none), the repository's policies.
std::string venue_toml(const TestVenue& venue, const IsolatedStorage* storage);

}  // namespace admit::testing
