// bench_events: outbox-to-handler throughput and publish-commit -> handler-start lag of the event
// bus (inproc and Kafka mock cluster), next to a single-row INSERT reference with the same client
// count. Needs a scratch database: it TRUNCATEs the admit.event_* tables and bench_reference.
//
//   bench_events --url URL [--events N] [--threads T] [--keys K] [--workers W] [--rate R]
//                [--batch B] [--prefill 0|1] [--backend inproc|kafka|both]
// --rate paces publishing (events/s, all threads together) to measure lag below saturation.
// --batch sets EventOptions::delivery_batch (1 = one transaction per event, as before batching).
// --prefill 1 publishes every event before the bus starts, then measures how fast the backlog
// drains (the unpaced delivery rate, not limited by the publishers); lag is then meaningless.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "host/events/event_bus.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using admit::events::Backend;

struct Args {
    std::string url;
    int events = 20000;
    int threads = 8;
    int keys = 64;
    int workers = 4;
    double rate = 0;  // total publishes per second; 0 = as fast as the clients go
    int batch = 64;
    bool prefill = false;
    std::string backend = "both";
};

struct Outcome {
    double publish_tps = 0, delivered_per_s = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// "k<i % keys>" (built by append: g++ 12 -O3 warns falsely on "k" + std::to_string(...)).
std::string key_of(int i, int keys) {
    std::string key = std::to_string(i % keys);
    key.insert(key.begin(), 'k');
    return key;
}

void exec(admit::store::PgPool& pool, const std::string& sql) {
    auto lease = pool.acquire();
    if (!lease) throw std::runtime_error(lease.error().message);
    pqxx::nontransaction tx(lease->conn());
    tx.exec(sql);
}

// Runs `body(i)` for i in [0, n) on `threads` threads; returns elapsed seconds.
double parallel(int n, int threads, const std::function<void(int)>& body) {
    std::atomic<int> next{0};
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++) body(i);
        });
    }
    for (auto& th : pool) th.join();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double reference_insert_tps(admit::store::PgPool& pool, const Args& args) {
    exec(pool,
         "CREATE TABLE IF NOT EXISTS bench_reference (id bigserial PRIMARY KEY, k text, v text)");
    exec(pool, "TRUNCATE bench_reference");
    const double seconds = parallel(args.events, args.threads, [&](int i) {
        auto lease = pool.acquire();
        pqxx::nontransaction tx(lease.value().conn());
        tx.exec_params("INSERT INTO bench_reference (k, v) VALUES ($1, $2)", key_of(i, args.keys),
                       std::string(R"({"seat":42})"));
    });
    return args.events / seconds;
}

Outcome run_bus(admit::store::PgPool& pool, const Args& args, Backend backend,
                const std::string& brokers) {
    admit::events::EventOptions options;
    options.backend = backend;
    options.workers_per_subscriber = static_cast<std::size_t>(args.workers);
    options.delivery_batch = static_cast<std::size_t>(args.batch);
    options.kafka.brokers = brokers;
    options.kafka.properties.emplace("log_level", "3");
    admit::events::EventBus bus(options, pool);
    if (auto st = bus.migrate(); !st) throw std::runtime_error(st.error().message);
    exec(pool,
         "TRUNCATE admit.event_outbox, admit.event_deliveries, admit.event_handled, "
         "admit.event_dead_letters");

    const int total = args.events + 1;  // event 0 warms up (Kafka group join)
    std::vector<Clock::time_point> committed(total), started(total);
    std::atomic<int> handled{0};
    Clock::time_point last_handled;
    std::mutex last_mutex;
    auto handler = [&](pqxx::work&, const admit::events::Event& e,
                       admit::store::CommitHooks&) -> admit::Status {
        const int i = std::stoi(e.payload);
        started[i] = Clock::now();
        {
            std::lock_guard lock(last_mutex);
            last_handled = started[i];
        }
        ++handled;
        return {};
    };
    if (auto st = bus.subscribe({"bench.seat", "bench.counter", handler}); !st) {
        throw std::runtime_error(st.error().message);
    }
    auto publish = [&](int i) {
        auto lease = pool.acquire();
        pqxx::work tx(lease.value().conn());
        auto id = bus.publish(tx, "bench.seat", key_of(i, args.keys), std::to_string(i));
        if (!id) throw std::runtime_error(id.error().message);
        tx.commit();
        committed[i] = Clock::now();
    };
    Clock::time_point start;
    double publish_seconds = 0;
    if (args.prefill) {  // the whole backlog waits in the outbox; the clock starts at start()
        publish_seconds = parallel(total, args.threads, publish);
        start = Clock::now();
        if (auto st = bus.start(); !st) throw std::runtime_error(st.error().message);
    } else {
        if (auto st = bus.start(); !st) throw std::runtime_error(st.error().message);
        publish(0);
        while (handled.load() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        start = Clock::now();
    }
    if (!args.prefill)
        publish_seconds = parallel(args.events, args.threads, [&](int i) {
            if (args.rate > 0) {  // open-loop pacing: event i is due at start + i / rate
                std::this_thread::sleep_until(
                    start +
                    std::chrono::microseconds(static_cast<std::int64_t>(i * 1e6 / args.rate)));
            }
            publish(i + 1);
        });
    const auto deadline = Clock::now() + std::chrono::seconds(300);
    while (handled.load() < total && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    bus.stop();
    if (handled.load() < total) throw std::runtime_error("not every event was handled in time");

    std::vector<double> lag_ms;
    for (int i = 1; i < total; ++i) {
        lag_ms.push_back(
            std::chrono::duration<double, std::milli>(started[i] - committed[i]).count());
    }
    std::sort(lag_ms.begin(), lag_ms.end());
    Outcome out;
    out.publish_tps = args.events / publish_seconds;
    // Prefill on Kafka: from the first handler call, so the consumer group join is not counted.
    if (args.prefill && backend == Backend::kafka)
        start = *std::min_element(started.begin(), started.end());
    out.delivered_per_s = args.events / std::chrono::duration<double>(last_handled - start).count();
    out.p50_ms = lag_ms[lag_ms.size() / 2];
    out.p99_ms = lag_ms[lag_ms.size() * 99 / 100];
    out.max_ms = lag_ms.back();
    return out;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--url")
            a.url = value;
        else if (flag == "--events")
            a.events = std::stoi(value);
        else if (flag == "--threads")
            a.threads = std::stoi(value);
        else if (flag == "--keys")
            a.keys = std::stoi(value);
        else if (flag == "--workers")
            a.workers = std::stoi(value);
        else if (flag == "--rate")
            a.rate = std::stod(value);
        else if (flag == "--batch")
            a.batch = std::stoi(value);
        else if (flag == "--prefill")
            a.prefill = value == "1";
        else if (flag == "--backend")
            a.backend = value;
        else
            throw std::runtime_error("unknown flag " + flag);
    }
    if (a.url.empty()) throw std::runtime_error("--url is required");
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Args args = parse(argc, argv);
        admit::store::PgOptions pg;
        pg.url = args.url;
        pg.pool_size = static_cast<std::size_t>(args.threads) + 12;
        admit::store::PgPool pool(pg);
        std::printf("events=%d threads=%d keys=%d workers/subscriber=%d batch=%d rate=%s%s\n",
                    args.events, args.threads, args.keys, args.workers, args.batch,
                    args.rate > 0 ? std::to_string(args.rate).c_str() : "max",
                    args.prefill ? " prefill (drain rate)" : "");
        const double reference = reference_insert_tps(pool, args);
        std::printf("reference single-row INSERT (autocommit): %.0f tps\n", reference);

        char error[256];
        rd_kafka_conf_t* host_conf = rd_kafka_conf_new();
        rd_kafka_conf_set(host_conf, "log_level", "3", error, sizeof error);
        rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, host_conf, error, sizeof error);
        rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, 3);
        rd_kafka_mock_topic_create(cluster, "admit.bench.seat", 8, 3);
        const std::string brokers = rd_kafka_mock_cluster_bootstraps(cluster);

        for (const auto& [name, backend] : std::map<std::string, Backend>{
                 {"inproc", Backend::inproc}, {"kafka", Backend::kafka}}) {
            if (args.backend != "both" && args.backend != name) continue;
            const Outcome o = run_bus(pool, args, backend, brokers);
            std::printf(
                "%-6s publish %.0f tps (%.2f of reference) | outbox->handler %.0f events/s "
                "(%.2f of reference) | lag p50 %.1f ms p99 %.1f ms max %.1f ms\n",
                name.c_str(), o.publish_tps, o.publish_tps / reference, o.delivered_per_s,
                o.delivered_per_s / reference, o.p50_ms, o.p99_ms, o.max_ms);
        }
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(host);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_events: %s\n", e.what());
        return 1;
    }
}
