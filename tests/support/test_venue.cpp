#include "tests/support/test_venue.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <pqxx/pqxx>

#include "tests/support/test_servers.hpp"

namespace admit::testing {
namespace {

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool port_accepts(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// The URL of another database on the same server: replaces the path of the fixture's URL.
std::string with_database(const std::string& url, const std::string& database) {
    auto scheme = url.find("://");
    auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    auto query = url.find('?', slash == std::string::npos ? 0 : slash);
    std::string base = slash == std::string::npos ? url : url.substr(0, slash);
    std::string tail = query == std::string::npos ? "" : url.substr(query);
    return base + "/" + database + tail;
}

}  // namespace

IsolatedStorage::IsolatedStorage() {
    static std::atomic<int> counter{0};
    database_ = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const auto& servers = testsupport::test_servers();
    {
        pqxx::connection admin(servers.pg_url);
        pqxx::nontransaction tx(admin);
        // A database of this name is a leftover of an earlier test process that had this pid and
        // died before its destructor ran (pids are reused); no live process can own it.
        tx.exec("DROP DATABASE IF EXISTS " + admin.quote_name(database_) + " WITH (FORCE)");
        tx.exec("CREATE DATABASE " + admin.quote_name(database_));
    }
    pg_url_ = with_database(servers.pg_url, database_);
    redis_port_ = free_loopback_port();
    start_redis();
}

IsolatedStorage::~IsolatedStorage() {
    stop_redis();
    try {
        pqxx::connection admin(testsupport::test_servers().pg_url);
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + admin.quote_name(database_) + " WITH (FORCE)");
    } catch (const std::exception&) {
        // The fixture's cleanup removes the whole cluster anyway.
    }
}

void IsolatedStorage::start_redis() {
    if (redis_pid_ > 0) return;
    auto port = std::to_string(redis_port_);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with a crashed test, never lingers
        ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                 static_cast<char*>(nullptr));
        ::_exit(127);
    }
    redis_pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!port_accepts(redis_port_)) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("redis did not start");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void IsolatedStorage::stop_redis() {
    if (redis_pid_ <= 0) return;
    ::kill(redis_pid_, SIGKILL);
    ::waitpid(redis_pid_, nullptr, 0);
    redis_pid_ = -1;
}

std::string venue_toml(const TestVenue& venue, const IsolatedStorage* storage) {
    std::string load;
    for (const auto& p : venue.plugins) load += (load.empty() ? "\"" : ", \"") + p + "\"";
    std::string toml =
        "[venue]\nid = \"test\"\nname = \"Test Hall\"\n"
        "[server]\nport = 0\nworkers = " +
        std::to_string(venue.workers) + "\nshutdown_grace_ms = 5000\n" + venue.server_toml +
        "[access]\nroles = [\"customer\", \"seller\", \"admin\", \"staff\"]\n"
        "rate_categories = [\"general\", \"auth\", \"queue\", \"booking\"]\n"
        "[plugins]\ndir = \"" +
        venue.plugin_dir + "\"\nload = [" + load +
        "]\n"
        "[policies]\ndir = \"" ADMIT_TEST_SOURCE_DIR
        "/policies\"\n"
        "[events]\nrelay_poll_ms = 20\n" +
        venue.events_toml + "[jobs]\npoll_ms = 50\n";
    if (storage != nullptr) {
        toml += "[database]\nurl = \"" + storage->pg_url() + "\"\npool_size = 8\n";
        toml +=
            "[redis]\nhost = \"127.0.0.1\"\nport = " + std::to_string(storage->redis_port()) + "\n";
    } else {
        toml += "[database]\nenabled = false\n[redis]\nenabled = false\n";
    }
    // Every response of a route with a contract is checked against its documentation.
    toml += "[testing]\ncheck_responses = true\n";
    if (venue.manual_clock) toml += "manual_clock = true\n";
    std::string extra = venue.extra_toml;
    const bool loads_auth =
        std::find(venue.plugins.begin(), venue.plugins.end(), "auth") != venue.plugins.end();
    if (loads_auth && venue.auth_development_keys) {
        const std::string header = "[plugin.auth]\n";
        const std::string flag = "development_keys = true\n";
        if (const auto at = extra.find(header); at != std::string::npos)
            extra.insert(at + header.size(), flag);
        else
            extra += header + flag;
    }
    return toml + extra;
}

}  // namespace admit::testing
