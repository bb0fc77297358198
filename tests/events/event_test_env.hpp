// Test environment of the event bus suites: a private database per test, a Kafka mock cluster,
// and small helpers. Each test gets its own database (the bus's tables live in schema "admit",
// and an inproc relay claims every unrelayed row of its database), so test processes run in
// parallel without seeing each other's events.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "host/events/event_bus.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events::testing {

// CREATE DATABASE on the admit_servers fixture (as its superuser, since role admit may not
// create databases); dropped (FORCE) on destruction. Owner is role admit.
class TestDatabase {
  public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& url() const { return url_; }              // as role admit
    const std::string& admin_url() const { return admin_url_; }  // database postgres, superuser
    const std::string& name() const { return name_; }

  private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

// librdkafka's in-process mock cluster (3 brokers), alive as long as this object.
class MockKafka {
  public:
    MockKafka();
    ~MockKafka();
    MockKafka(const MockKafka&) = delete;
    MockKafka& operator=(const MockKafka&) = delete;

    const std::string& brokers() const { return brokers_; }
    void create_topic(const std::string& name, int partitions = 4);

  private:
    rd_kafka_t* host_ = nullptr;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
    std::string brokers_;
};

// Polls `condition` every 5 ms until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(45));

// Publishes in its own committed transaction; throws on failure (test code only).
EventId publish_committed(EventBus& bus, store::PgPool& pool, const std::string& topic,
                          const std::string& key, const std::string& payload);

// Runs `sql` (no parameters) in its own transaction on `pool`; returns the first column of the
// first row as text ("" when none). Throws on failure.
std::string sql_value(store::PgPool& pool, const std::string& sql);

}  // namespace admit::events::testing
