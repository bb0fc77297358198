// admitd started while its PostgreSQL or Redis is not reachable yet (a host reboot, a failover, a
// fleet restarted together with its database: scripts/chaos's kill-all then pg-restart) waits up
// to `startup_wait_ms` for it and then serves; a failure that waiting cannot mend (no such
// database, refused credentials: see redis_auth_e2e_test.cpp) stops the start at once.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

// The venue of `storage` with `lines` added to its [section] table.
std::filesystem::path venue_with(const IsolatedStorage& storage, const std::string& section,
                                 const std::string& lines) {
    auto text = venue_toml({.plugins = {"hello"}}, &storage);
    const std::string header = "[" + section + "]\n";
    const auto at = text.find(header);
    EXPECT_NE(at, std::string::npos) << text;
    if (at != std::string::npos) text.insert(at + header.size(), lines);
    return write_temp_file("venue.toml", text);
}

// Waits until admitd's log contains `text` (or it exits, or 30 s pass).
bool log_shows(const AdmitdProcess& admitd, const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (admitd.log().find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

TEST(StoreStartupWait, ARedisThatComesUpAfterTheStartIsWaitedFor) {
    IsolatedStorage storage;
    storage.stop_redis();
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY,
                         {"--config", venue_with(storage, "redis", "startup_wait_ms = 60000\n")});
    // The sentinel: admitd says it is waiting (it has tried and failed at least once).
    ASSERT_TRUE(log_shows(admitd, "Redis is not reachable yet")) << admitd.log();
    storage.start_redis();
    auto port = admitd.wait_until_serving(std::chrono::seconds(60));
    ASSERT_TRUE(port.has_value()) << admitd.log();
    EXPECT_EQ(http_request(*port, "GET", "/readyz").status, 200);
    EXPECT_EQ(http_request(*port, "GET", "/api/v1/hello").status, 200);
    EXPECT_NE(admitd.log().find("Redis is reachable; starting"), std::string::npos);
}

TEST(StoreStartupWait, WithNoWaitAnUnreachableRedisStopsTheStartNamingIt) {
    IsolatedStorage storage;
    storage.stop_redis();
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY,
                         {"--config", venue_with(storage, "redis", "startup_wait_ms = 0\n")});
    auto code = admitd.wait_exit();
    ASSERT_TRUE(code.has_value()) << admitd.log();
    EXPECT_NE(*code, 0);
    EXPECT_NE(admitd.log().find("admitd did not start: Redis: "), std::string::npos)
        << admitd.log();
}

TEST(StoreStartupWait, APostgresDatabaseThatDoesNotExistIsNotWaitedFor) {
    IsolatedStorage storage;
    auto text = venue_toml({.plugins = {"hello"}}, &storage);
    const auto url_at = text.find(storage.pg_url());
    ASSERT_NE(url_at, std::string::npos);
    auto url = storage.pg_url();
    const auto name_at = url.rfind('/');
    const auto query_at = url.find('?', name_at);
    url.replace(name_at + 1, (query_at == std::string::npos ? url.size() : query_at) - name_at - 1,
                "no_such_database");
    text.replace(url_at, storage.pg_url().size(), url);
    // Ten minutes of wait: a wait_exit within its 30 s means the failure was not waited for.
    text.insert(text.find("[database]\n") + 11, "startup_wait_ms = 600000\n");
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY,
                         {"--config", write_temp_file("venue.toml", text).string()});
    auto code = admitd.wait_exit();
    ASSERT_TRUE(code.has_value()) << admitd.log();
    EXPECT_NE(*code, 0);
    EXPECT_NE(admitd.log().find("admitd did not start: PostgreSQL: "), std::string::npos)
        << admitd.log();
    EXPECT_NE(admitd.log().find("does not exist"), std::string::npos) << admitd.log();
}

}  // namespace
}  // namespace admit::testing
