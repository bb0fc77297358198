// PgPool: the host's pool of PostgreSQL connections (libpqxx 6.4). The host owns it; plugins reach
// PostgreSQL only through the ABI functions that the host implements on top of it.
//
// Thread-safety: every member is thread-safe. A Lease is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "host/common/result.hpp"

namespace admit::store {

struct PgOptions {
    std::string url;  // libpq URI; may carry a password (never logged)
    std::size_t pool_size = 16;
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds acquire_timeout{2000};  // waiting for a free connection
    std::chrono::milliseconds statement_timeout{5000};
    // After a failed connect, new connections are refused (fail fast) for a backoff that starts
    // at reconnect_backoff_min and doubles up to reconnect_backoff_max while failures continue.
    // Only one attempt is in flight at a time, so a long outage costs five connects a second
    // per process (each refused at once, or turned away by a server still starting), and a
    // server that is back is found within 200 ms: the fleet's recovery goal is 2 s after a
    // restart, and with 500 ms this wait was most of what a restart under load took (0.45 of
    // 0.57 s, scripts/chaos --faults pg-restart).
    std::chrono::milliseconds reconnect_backoff_min{100};
    std::chrono::milliseconds reconnect_backoff_max{200};
};

class PgPool;

// Exclusive use of one pooled connection until destroyed; then it returns to the pool, or is
// dropped if discard() was called or the connection is broken. A lease must not outlive its pool,
// and no pqxx transaction may be open on it when it is destroyed.
class PgLease {
  public:
    PgLease(PgLease&&) noexcept;
    PgLease& operator=(PgLease&&) noexcept;
    PgLease(const PgLease&) = delete;
    PgLease& operator=(const PgLease&) = delete;
    ~PgLease();

    pqxx::connection& conn();
    // The connection is in an unknown state (e.g. an exception mid-protocol): do not reuse it.
    void discard();

  private:
    friend class PgPool;
    PgLease(PgPool* pool, std::unique_ptr<pqxx::connection> conn);
    PgPool* pool_ = nullptr;
    std::unique_ptr<pqxx::connection> conn_;
};

class PgPool {
  public:
    explicit PgPool(PgOptions options);
    ~PgPool();
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    // A connection, opened lazily. Fails fast with Error{ErrorCode::DEPENDENCY_UNAVAILABLE, ...}
    // when PostgreSQL cannot be reached (reconnects are retried with backoff, never in a tight
    // loop), or with "POOL_EXHAUSTED" when none is free within acquire_timeout.
    Result<PgLease> acquire();

    // True when the last connection attempt or ping succeeded.
    bool healthy() const;
    // Pings the server (SELECT 1) on a connection of its own, outside the pool (opened lazily
    // through the same reconnect backoff, kept between pings, dropped when it fails): a pool busy
    // with requests never makes the ping wait for a free connection or fail with POOL_EXHAUSTED,
    // so readiness reports whether PostgreSQL answers, not how loaded the pool is. While it has
    // no connection (first use, or the server ended it), a connect or request of the pool that
    // succeeded within the last second is the answer, and a later ping opens the connection
    // (after a restart under load, opening it right away took up to 1.2 s). Updates healthy().
    // Serialized: concurrent pings wait for each other.
    Status ping();

    const PgOptions& options() const { return options_; }

    // Connections of the pool currently open (idle + leased + being opened; not ping()'s own).
    // For tests and metrics.
    std::size_t open_connections() const;

  private:
    friend class PgLease;
    void give_back(std::unique_ptr<pqxx::connection> conn);
    struct State;
    PgOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace admit::store
