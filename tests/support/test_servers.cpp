#include "tests/support/test_servers.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <pqxx/pqxx>

namespace admit::testsupport {
namespace {

std::string run_dir() {
    if (const char* env = std::getenv("ADMIT_TEST_SERVERS_RUNDIR"); env != nullptr && *env != '\0')
        return env;
    return ADMIT_TEST_SERVERS_RUNDIR;
}

TestServers load() {
    TestServers servers;
    servers.run_dir = run_dir();
    servers.servers_script = ADMIT_TEST_SERVERS_SCRIPT;
    const std::string path = servers.run_dir + "/servers.env";
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("no " + path +
                                 ": run the tests through ctest (fixture admit_servers) or `" +
                                 servers.servers_script + " start " + servers.run_dir + "`");
    }
    std::map<std::string, std::string> values;
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    servers.pg_url = values["ADMIT_DATABASE_URL"];
    servers.pg_port = std::atoi(values["ADMIT_PG_PORT"].c_str());
    servers.redis_host = values["ADMIT_REDIS_HOST"];
    servers.redis_port = std::atoi(values["ADMIT_REDIS_PORT"].c_str());
    if (servers.pg_url.empty() || servers.redis_host.empty() || servers.redis_port == 0) {
        throw std::runtime_error(path + " is incomplete");
    }
    return servers;
}

void run_script(const std::string& command) {
    const TestServers& servers = test_servers();
    const std::string line =
        "bash '" + servers.servers_script + "' " + command + " '" + servers.run_dir + "'";
    if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + line);
}

std::mutex schemas_mutex;
std::vector<std::string> schemas_made;
std::atomic<int> counter{0};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace

const TestServers& test_servers() {
    static const TestServers servers = load();
    return servers;
}

void stop_redis() { run_script("redis-stop"); }
void start_redis() { run_script("redis-start"); }
void stop_postgres() { run_script("pg-stop"); }
void start_postgres() { run_script("pg-start"); }

std::string fresh_schema_name(std::string_view prefix) {
    std::string name =
        lower(prefix) + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    std::lock_guard lock(schemas_mutex);
    schemas_made.push_back(name);
    return name;
}

std::string fresh_key_prefix(std::string_view prefix) {
    return std::string(prefix) + ":" + std::to_string(::getpid()) + ":" +
           std::to_string(++counter) + ":";
}

void reset_database() {
    std::vector<std::string> schemas;
    {
        std::lock_guard lock(schemas_mutex);
        schemas.swap(schemas_made);
    }
    if (schemas.empty()) return;
    pqxx::connection conn(test_servers().pg_url);
    pqxx::work tx(conn);
    const bool has_migrations = !tx.exec(
                                       "SELECT 1 FROM pg_tables WHERE schemaname = 'admit' AND "
                                       "tablename = 'schema_migrations'")
                                     .empty();
    for (const auto& schema : schemas) {
        tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(schema) + " CASCADE");
        if (has_migrations)
            tx.exec_params("DELETE FROM admit.schema_migrations WHERE owner = $1", schema);
    }
    tx.commit();
}

}  // namespace admit::testsupport
