// ConnectionLimits: the caps that keep one client from taking the server from others: open
// connections in all, open connections per client bucket, and open SSE streams per bucket.
// Traps avoided: counting a proxy's connections as one client (trusted proxies are exempt from
// the per-client connection cap: their clients are counted per stream instead), and a count that
// leaks when a connection ends on an unusual path: a Lease gives its slot back when destroyed.
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::http {

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
  public:
    struct Caps {
        std::size_t max_connections = 0;             // 0: unbounded
        std::size_t max_connections_per_client = 0;  // 0: unbounded
        std::size_t max_streams_per_client = 0;      // 0: unbounded
    };

    // Holds one slot; gives it back when destroyed. Movable, not copyable.
    class Lease {
      public:
        Lease() = default;
        Lease(Lease&&) noexcept = default;
        // Gives back the slot held so far, then takes `other`'s.
        Lease& operator=(Lease&& other) noexcept;
        ~Lease();
        explicit operator bool() const { return owner_ != nullptr; }

      private:
        friend class ConnectionLimits;
        enum class Kind { connection, stream };
        Lease(std::shared_ptr<ConnectionLimits> owner, Kind kind, std::string bucket,
              bool counted_per_client)
            : owner_(std::move(owner)),
              kind_(kind),
              bucket_(std::move(bucket)),
              counted_per_client_(counted_per_client) {}
        std::shared_ptr<ConnectionLimits> owner_;
        Kind kind_ = Kind::connection;
        std::string bucket_;
        bool counted_per_client_ = false;
    };

    enum class Refusal { none, server_full, client_full };

    static std::shared_ptr<ConnectionLimits> create(Caps caps);

    // A slot for a new connection from `bucket` (client_bucket of the peer); `per_client` false
    // for a trusted proxy. An empty lease and the reason when refused.
    Lease open_connection(const std::string& bucket, bool per_client, Refusal& refusal);
    // A slot for a new stream of client `bucket`; empty when that client has its maximum open.
    Lease open_stream(const std::string& bucket);

    std::size_t connections() const;
    std::size_t streams_of(const std::string& bucket) const;

  private:
    explicit ConnectionLimits(Caps caps) : caps_(caps) {}
    void release(Lease::Kind kind, const std::string& bucket, bool counted_per_client);

    Caps caps_;
    mutable std::mutex mutex_;
    std::size_t connections_ = 0;
    std::unordered_map<std::string, std::size_t> connections_by_client_;
    std::unordered_map<std::string, std::size_t> streams_by_client_;
};

}  // namespace admit::http
