// Server: the HTTP/1.1 front (Boost.Beast inside; this header has no Boost). Parses requests,
// runs the handler on a bounded worker pool, writes responses, keeps SSE streams open.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "host/common/result.hpp"
#include "host/http/client_address.hpp"
#include "host/http/request.hpp"
#include "host/http/response.hpp"
#include "host/http/stream_hub.hpp"
#include "host/observe/metrics_registry.hpp"

namespace admit::http {

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                     // 0: ephemeral; Server::port() tells the bound one
    unsigned io_threads = 0;                    // 0: one per core
    unsigned workers = 8;                       // handler threads
    std::size_t queue_limit = 1024;             // requests waiting for a worker before 503
    std::size_t body_limit_bytes = 1 << 20;     // larger -> 413 PAYLOAD_TOO_LARGE
    std::size_t header_limit_bytes = 16 << 10;  // larger -> 431
    std::size_t target_limit_bytes = 8 << 10;   // longer request target -> 414
    std::chrono::milliseconds request_timeout{10'000};  // whole request read (and response write)
    std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
    unsigned retry_after_seconds = 1;                   // Retry-After of 503 OVERLOADED
    // Run the handler on the I/O thread instead of the pool. Only for handlers that never block:
    // it saves the thread hop but a slow handler stalls every connection of that I/O thread.
    bool run_handlers_inline = false;
    // Requests this answers true for (on the I/O thread, with the request's fields filled) run
    // inline, whatever run_handlers_inline says: only for handlers that answer from memory. The
    // host uses it for GET /healthz and /readyz, so a health check is answered at once while every
    // worker is busy or the queue is full (a check that queues behind load makes a load balancer
    // drop a busy but healthy instance, and a restarted one look not ready for a second).
    std::function<bool(const Request&)> inline_request;
    std::chrono::milliseconds sse_heartbeat{15'000};  // ": heartbeat" comment on idle streams
    std::size_t sse_buffer_events =
        256;  // frames queued per stream before it is dropped as too slow
    std::chrono::milliseconds stream_write_timeout{10'000};  // one SSE write stalled this long: cut
    std::chrono::milliseconds stream_max_lifetime{3'600'000};  // then the client reconnects
    std::size_t max_connections = 20'000;        // open connections in all (0: unbounded)
    std::size_t max_connections_per_ip = 1'024;  // per client IPv4 / IPv6 /64 (0: unbounded)
    std::size_t max_streams_per_ip = 64;         // open SSE streams per client (0: unbounded)
    // Peers whose Forwarded / X-Forwarded-For is believed (see client_address.hpp); they are
    // exempt from max_connections_per_ip, their clients are counted per stream.
    TrustedProxies trusted_proxies;
    // Where the server's metrics go; a private registry when null.
    std::shared_ptr<observe::MetricsRegistry> metrics;
};

// Thread-safety: start/stop/port/streams/metrics may be called from any thread (a signal-handling
// thread included, not a signal handler). The handler runs on worker threads (or I/O threads when
// run_handlers_inline) concurrently for different requests; it must not let exceptions escape on
// purpose — one that does becomes 500 INTERNAL and is logged with the trace id.
class Server {
  public:
    // Runs with a Request whose fields are filled (trace_id resolved); returns the response. The
    // Request lives until the handler returns.
    using Handler = std::function<Response(Request&)>;

    Server(ServerOptions options, Handler handler);
    // Stops with no grace if still running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the I/O and worker threads; returns at once. Errors:
    // HTTP_BIND_FAILED (address/port), HTTP_ALREADY_STARTED.
    Status start();

    // Stops accepting; lets in-flight requests finish (their responses say Connection: close) for
    // up to `grace`; closes streams and idle connections; then closes whatever is left and joins
    // every thread. Queued handler tasks still run (their responses are discarded if their
    // connection is gone). Idempotent.
    void stop(std::chrono::milliseconds grace);

    // The bound port (valid after a successful start()).
    std::uint16_t port() const;

    StreamHub& streams();
    observe::MetricsRegistry& metrics();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace admit::http
