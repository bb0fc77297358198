// admit-pay-sim: a payment-service simulator speaking the Toss Payments v1 API (README.md).
//   admit-pay-sim [--config FILE] [--port N] [--listen ADDR] [--journal PATH]
//                 [--webhook-url URL] [--seed N] [--threads N]
// Secrets come from the environment only: ADMIT_PAYSIM_SECRET_KEY (API Basic auth) and
// ADMIT_PAYSIM_WEBHOOK_SECRET (webhook HMAC). Once listening it prints one line on stdout:
//   admit-pay-sim listening on http://127.0.0.1:<port>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "http_server.hpp"
#include "sim_config.hpp"
#include "simulator.hpp"

namespace net = boost::asio;
using namespace admit::paysim;

namespace {

int usage(const char* why) {
    std::cerr
        << "admit-pay-sim: " << why << "\n"
        << "usage: admit-pay-sim [--config FILE] [--port N] [--listen ADDR] [--journal PATH]\n"
        << "                     [--webhook-url URL] [--seed N] [--threads N]\n"
        << "environment: ADMIT_PAYSIM_SECRET_KEY, ADMIT_PAYSIM_WEBHOOK_SECRET (required)\n";
    return 2;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// Waits (without blocking an io thread) until in-flight requests are answered or the grace
// period ends, then stops the io_context.
void drain_then_stop(net::io_context& io, HttpServer& server,
                     std::shared_ptr<net::steady_timer> timer,
                     std::chrono::steady_clock::time_point deadline) {
    if (server.active_requests() == 0 || std::chrono::steady_clock::now() >= deadline) {
        io.stop();
        return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([&io, &server, timer, deadline](boost::system::error_code) {
        drain_then_stop(io, server, timer, deadline);
    });
}

}  // namespace

int main(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("paysim");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ admit-pay-sim: %v");
    if (auto level = env("ADMIT_PAYSIM_LOG_LEVEL"); !level.empty()) {
        spdlog::set_level(spdlog::level::from_str(level));
    }

    std::string config_path;
    std::vector<std::pair<std::string, std::string>> overrides;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage("a Toss Payments v1 simulator");
            return 0;
        }
        if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
        std::string value = argv[++i];
        if (arg == "--config") {
            config_path = value;
        } else if (arg == "--port" || arg == "--listen" || arg == "--journal" ||
                   arg == "--webhook-url" || arg == "--seed" || arg == "--threads") {
            overrides.emplace_back(arg, value);
        } else {
            return usage(("unknown option " + arg).c_str());
        }
    }

    StartupConfig config;
    try {
        if (!config_path.empty()) config = load_config_file(config_path);
        for (const auto& [name, value] : overrides) {
            if (name == "--port") {
                int port = std::stoi(value);
                if (port < 0 || port > 65535) return usage("--port must be 0..65535");
                config.port = static_cast<uint16_t>(port);
            } else if (name == "--listen") {
                config.listen = value;
            } else if (name == "--journal") {
                config.journal_path = value;
            } else if (name == "--seed") {
                config.seed = std::stoull(value);
            } else if (name == "--threads") {
                config.threads = std::max(1, std::stoi(value));
            } else if (name == "--webhook-url") {
                if (auto err = apply_runtime_patch(
                        config.runtime,
                        boost::json::object{{"webhooks", boost::json::object{{"url", value}}}})) {
                    return usage(err->c_str());
                }
            }
        }
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 2;
    }

    Secrets secrets{env("ADMIT_PAYSIM_SECRET_KEY"), env("ADMIT_PAYSIM_WEBHOOK_SECRET")};
    if (secrets.api_secret_key.empty()) return usage("ADMIT_PAYSIM_SECRET_KEY is not set");
    if (secrets.webhook_secret.empty()) return usage("ADMIT_PAYSIM_WEBHOOK_SECRET is not set");

    try {
        net::io_context io(config.threads);
        auto poster = make_http_poster(io);
        Simulator sim(config, secrets, *poster);
        HttpServer server(io, sim, config.listen, config.port, config.max_body_bytes);
        sim.on_config_change([&server](const RuntimeConfig& c) { server.apply_down(c); });
        sim.start();
        server.start();

        net::signal_set signals(io, SIGTERM, SIGINT);
        signals.async_wait([&](boost::system::error_code ec, int sig) {
            if (ec) return;
            spdlog::info("signal {}: stopping (finishing in-flight requests)", sig);
            server.stop();
            drain_then_stop(io, server, std::make_shared<net::steady_timer>(io),
                            std::chrono::steady_clock::now() + std::chrono::seconds(5));
        });

        spdlog::info(
            "seed {}, {} threads, journal {}, webhooks to {}", config.seed, config.threads,
            config.journal_path.empty() ? "(none)" : config.journal_path,
            config.runtime.webhooks.url.empty() ? "(disabled)" : config.runtime.webhooks.url);
        std::printf("admit-pay-sim listening on http://%s:%u\n", config.listen.c_str(),
                    static_cast<unsigned>(server.port()));
        std::fflush(stdout);

        std::vector<std::thread> threads;
        for (int i = 1; i < config.threads; ++i) threads.emplace_back([&io] { io.run(); });
        io.run();
        for (auto& t : threads) t.join();
        sim.stop();
        auto totals = sim.ledger().totals();
        spdlog::info("stopped: {} payments, charged {}, refunded {}", totals.payments,
                     totals.charged, totals.refunded);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    return 0;
}
