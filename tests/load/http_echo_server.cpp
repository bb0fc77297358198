// http_echo_server: admit::http::Server with a trivial handler (a Router lookup and a fixed small
// JSON body), to measure the HTTP stack's overhead against bare_beast_server.
// Usage: http_echo_server [--port N] [--io-threads N] [--workers N] [--inline]
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <signal.h>

#include "host/http/router.hpp"
#include "host/http/server.hpp"
#include "host/observe/logging.hpp"

int main(int argc, char** argv) {
    admit::http::ServerOptions options;
    options.port = 18081;
    options.io_threads = 2;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> int { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
        if (arg == "--port")
            options.port = static_cast<std::uint16_t>(next());
        else if (arg == "--io-threads")
            options.io_threads = static_cast<unsigned>(next());
        else if (arg == "--workers")
            options.workers = static_cast<unsigned>(next());
        else if (arg == "--inline")
            options.run_handlers_inline = true;
        else {
            std::cerr
                << "usage: http_echo_server [--port N] [--io-threads N] [--workers N] [--inline]\n";
            return 2;
        }
    }
    if (auto status = admit::observe::configure_logging("warn", "text"); !status) return 1;

    // Block the stop signals in every thread; this thread waits for them (never in a handler).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    admit::http::Router<int> router;
    if (!router.add("GET", "/bench", 1).ok() ||
        !router.add("GET", "/api/v1/halls/{hallId}", 2).ok())
        return 1;
    admit::http::Server server(options, [&router](admit::http::Request& request) {
        auto match = router.match(request.method, request.path);
        if (match.outcome != admit::http::MatchOutcome::found) {
            return admit::http::Response::error(404, "NOT_FOUND", "no such route",
                                                request.trace_id);
        }
        auto response = admit::http::Response::json(200, R"({"ok":true})");
        response.route_label = std::string(match.path_template);
        return response;
    });
    if (auto status = server.start(); !status) {
        std::cerr << status.error().message << "\n";
        return 1;
    }
    std::cout << "http_echo_server listening on 127.0.0.1:" << server.port()
              << " (io_threads=" << options.io_threads << " workers=" << options.workers
              << (options.run_handlers_inline ? " inline" : "") << ")" << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    server.stop(std::chrono::seconds(5));
    return 0;
}
