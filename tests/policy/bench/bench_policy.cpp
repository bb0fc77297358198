// bench_policy [POLICIES_DIR] [SECONDS] [LATENCY_CALLS] [PG_URL]: evaluations per second per
// thread of fees.lua, and the latency one policy call adds (PolicyEngine::evaluate: parse input,
// call decide, check the output schema, serialize). With PG_URL, the latency is measured twice in
// the same run: without the decision log (the reference) and with it on, writing to that database
// (fees sets money, so every decision is recorded).
#include "host/policy/decision_log.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision_store.hpp"
#include "host/store/pg_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using admit::policy::PolicyEngine;
using Clock = std::chrono::steady_clock;

constexpr const char* kInput = R"({"kind":"booking","tier":"GOLD","quantity":2})";

bool evaluate_once(PolicyEngine& engine) {
    auto decision = engine.evaluate("fees", kInput);
    return decision.ok() && !decision.value().fallback_used;
}

// Runs `threads` threads for `seconds`; returns evaluations per second of each thread.
std::vector<double> throughput(PolicyEngine& engine, unsigned threads, double seconds) {
    std::vector<double> rates(threads);
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) evaluate_once(engine);  // warm up this thread's state
            const auto start = Clock::now();
            const auto end = start + std::chrono::duration<double>(seconds);
            std::uint64_t count = 0;
            while (Clock::now() < end) {
                for (int i = 0; i < 256; ++i) failed = failed || !evaluate_once(engine);
                count += 256;
            }
            rates[t] = static_cast<double>(count) /
                       std::chrono::duration<double>(Clock::now() - start).count();
        });
    }
    for (auto& worker : workers) worker.join();
    if (failed) std::fprintf(stderr, "warning: some evaluations failed\n");
    return rates;
}

struct Latency {
    double mean = 0, p50 = 0, p99 = 0, p999 = 0;
    std::size_t calls = 0;
};

Latency measure_latency(PolicyEngine& engine, int calls) {
    std::vector<double> latencies_us;
    latencies_us.reserve(static_cast<std::size_t>(calls));
    for (int i = 0; i < calls; ++i) {
        const auto start = Clock::now();
        evaluate_once(engine);
        latencies_us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    double sum = 0;
    for (double latency : latencies_us) sum += latency;
    auto percentile = [&](double p) {
        return latencies_us[static_cast<std::size_t>(p *
                                                     static_cast<double>(latencies_us.size() - 1))];
    };
    return {sum / static_cast<double>(latencies_us.size()), percentile(0.5), percentile(0.99),
            percentile(0.999), latencies_us.size()};
}

void print_latency(const char* label, const Latency& l) {
    std::printf(
        "policy call latency (fees.lua, 1 thread, %zu calls, %s): mean %.2f us, p50 %.2f us, "
        "p99 %.2f us, p99.9 %.2f us  (aim: < 20 us)\n",
        l.calls, label, l.mean, l.p50, l.p99, l.p999);
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    admit::policy::PolicyOptions options;
    options.dir = argc > 1 ? argv[1] : "policies";
    const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
    const int latency_calls = argc > 3 ? std::max(100, std::atoi(argv[3])) : 200'000;
    PolicyEngine engine(options);
    if (auto loaded = engine.load_all(); !loaded.ok() || !evaluate_once(engine)) {
        std::fprintf(stderr, "cannot evaluate fees.lua in %s\n", options.dir.c_str());
        return 1;
    }

    const Latency off = measure_latency(engine, latency_calls);
    print_latency("decision log off", off);
    std::printf("RESULT p99_us_log_off=%.2f\n", off.p99);
    if (argc > 4) {
        admit::store::PgOptions pg;
        pg.url = argv[4];
        pg.pool_size = 2;
        admit::store::PgPool pool(pg);
        admit::policy::RevisionStore schema(pool, nullptr);
        if (auto migrated = schema.migrate(); !migrated.ok()) {
            std::fprintf(stderr, "decision log database: %s\n", migrated.error().message.c_str());
            return 1;
        }
        admit::policy::DecisionLogOptions lo;
        lo.host_id = "bench";
        admit::policy::DecisionLog log(pool, lo);
        (void)log.start();
        engine.set_decision_sink(&log);
        const Latency on = measure_latency(engine, latency_calls);
        engine.set_decision_sink(nullptr);
        log.stop();
        print_latency("decision log on", on);
        std::printf(
            "decision log: %llu decisions recorded, %llu dropped (queue full: %d calls in %.1f s "
            "is far above a venue's booking rate)\n",
            static_cast<unsigned long long>(log.recorded()),
            static_cast<unsigned long long>(log.dropped()), latency_calls,
            on.mean * on.calls / 1e6);
        std::printf("RESULT p99_us_log_on=%.2f\n", on.p99);
        std::printf("RESULT reference_p99_us_log_off=%.2f\n", off.p99);
        std::printf("RESULT ratio_p99_on_over_off=%.3f\n", on.p99 / off.p99);
        std::printf("RESULT decisions_recorded=%llu\nRESULT decisions_dropped=%llu\n",
                    static_cast<unsigned long long>(log.recorded()),
                    static_cast<unsigned long long>(log.dropped()));
    }

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned threads = 1; threads <= cores; threads *= 2) {
        const auto rates = throughput(engine, threads, seconds);
        double total = 0;
        std::printf("%u thread(s):", threads);
        for (double rate : rates) {
            std::printf(" %.0f", rate);
            total += rate;
        }
        std::printf(" evaluations/s per thread (total %.0f/s)\n", total);
    }
    return 0;
}
