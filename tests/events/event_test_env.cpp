#include "tests/events/event_test_env.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "tests/support/test_servers.hpp"

namespace admit::events::testing {

namespace {

std::string server_url(const std::string& user, const std::string& database) {
    const auto& servers = testsupport::test_servers();
    return "postgresql://" + user + "@127.0.0.1:" + std::to_string(servers.pg_port) + "/" +
           database;
}

}  // namespace

TestDatabase::TestDatabase() {
    static std::atomic<int> counter{0};
    name_ = "events_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    admin_url_ = server_url("postgres", "postgres");
    url_ = server_url("admit", name_);
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + tx.quote_name(name_) + " OWNER admit");
}

TestDatabase::~TestDatabase() {
    try {
        pqxx::connection admin(admin_url_);
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception&) {
        // best effort: a leftover database is dropped by the next run of the same pid
    }
}

MockKafka::MockKafka() {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (host_ == nullptr) throw std::runtime_error(std::string("mock kafka host: ") + error);
    cluster_ = rd_kafka_mock_cluster_new(host_, 3);
    if (cluster_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    brokers_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockKafka::~MockKafka() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(host_);
}

void MockKafka::create_topic(const std::string& name, int partitions) {
    if (rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 3) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("mock topic " + name);
    }
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

EventId publish_committed(EventBus& bus, store::PgPool& pool, const std::string& topic,
                          const std::string& key, const std::string& payload) {
    auto lease = pool.acquire();
    if (!lease) throw std::runtime_error(lease.error().message);
    pqxx::work tx(lease->conn());
    auto id = bus.publish(tx, topic, key, payload);
    if (!id)
        throw std::runtime_error(std::string(admit::name(id.error().code)) + ": " +
                                 id.error().message);
    tx.commit();
    return id.value();
}

std::string sql_value(store::PgPool& pool, const std::string& sql) {
    auto lease = pool.acquire();
    if (!lease) throw std::runtime_error(lease.error().message);
    pqxx::work tx(lease->conn());
    const auto rows = tx.exec(sql);
    tx.commit();
    if (rows.empty() || rows[0][0].is_null()) return "";
    return rows[0][0].as<std::string>();
}

}  // namespace admit::events::testing
