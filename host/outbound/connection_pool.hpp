// ConnectionPool: the idle keep-alive connections of one upstream. A call takes one (or opens a
// new one when none is idle) and gives it back when the exchange left it reusable. Connections in
// use are owned by their caller, so the pool never limits concurrency; it only keeps at most
// `max_idle` idle ones, each for at most `keepalive`.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "host/outbound/http_connection.hpp"

namespace admit::outbound {

class ConnectionPool {
  public:
    ConnectionPool(std::uint32_t max_idle, std::chrono::milliseconds keepalive)
        : max_idle_(max_idle), keepalive_(keepalive) {}

    // The most recently used idle connection that is still open, or nullptr. Stale ones (closed
    // by the peer, or idle longer than keepalive) are dropped on the way.
    std::unique_ptr<HttpConnection> take();
    // Keeps `connection` for reuse when it is reusable and there is room; otherwise closes it.
    void give_back(std::unique_ptr<HttpConnection> connection);
    std::size_t idle() const;

  private:
    std::uint32_t max_idle_;
    std::chrono::milliseconds keepalive_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<HttpConnection>> idle_;
};

}  // namespace admit::outbound
