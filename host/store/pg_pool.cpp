#include "host/store/pg_pool.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <poll.h>

#include <spdlog/spdlog.h>

#include "host/store/pg_conninfo.hpp"
#include "host/store/pg_errors.hpp"
#include "host/store/reconnect_gate.hpp"

namespace admit::store {

using Clock = std::chrono::steady_clock;

namespace {

// An idle connection's socket has nothing to read unless the server closed it or sent a
// termination notice (e.g. after a restart): such a connection must not be handed out.
bool idle_connection_is_stale(const pqxx::connection& conn) {
    if (!conn.is_open()) return true;
    pollfd fd{conn.sock(), POLLIN, 0};
    return ::poll(&fd, 1, 0) != 0;
}

}  // namespace

struct PgPool::State {
    explicit State(const PgOptions& o)
        : gate("PostgreSQL", o.reconnect_backoff_min, o.reconnect_backoff_max) {}
    std::mutex mutex;
    std::condition_variable connection_freed;
    std::vector<std::unique_ptr<pqxx::connection>> idle;
    std::size_t open = 0;  // idle + leased + being opened
    ReconnectGate gate;
    std::optional<std::string> conninfo;  // empty when the URL cannot be parsed
    std::string conninfo_error;
    std::mutex probe_mutex;                   // serializes ping(); guards probe
    std::unique_ptr<pqxx::connection> probe;  // ping()'s own connection, outside `open`
};

namespace {

// How recent a success of the pool must be for ping() to take it as its answer (the readiness
// refresher asks about once a second when ready, every 100 ms when not).
constexpr std::chrono::milliseconds kSuccessAnswersPing{1000};

}  // namespace

// ------------------------------------------------------------------------------------------------
// PgLease

PgLease::PgLease(PgPool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PgLease::PgLease(PgLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}

PgLease& PgLease::operator=(PgLease&& other) noexcept {
    if (this != &other) {
        if (pool_ != nullptr) pool_->give_back(std::move(conn_));
        pool_ = std::exchange(other.pool_, nullptr);
        conn_ = std::move(other.conn_);
    }
    return *this;
}

PgLease::~PgLease() {
    if (pool_ != nullptr) pool_->give_back(std::move(conn_));
}

pqxx::connection& PgLease::conn() { return *conn_; }

void PgLease::discard() {
    if (conn_) {
        conn_->disconnect();
        conn_.reset();
    }
}

// ------------------------------------------------------------------------------------------------
// PgPool

PgPool::PgPool(PgOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>(options_)) {
    auto conninfo =
        build_conninfo(options_.url, options_.connect_timeout, options_.statement_timeout);
    if (conninfo.ok()) {
        state_->conninfo = std::move(conninfo).value();
    } else {
        state_->conninfo_error = conninfo.error().message;
    }
    if (options_.pool_size == 0) options_.pool_size = 1;
}

PgPool::~PgPool() = default;

Result<PgLease> PgPool::acquire() {
    State& s = *state_;
    if (!s.conninfo) return Error{ErrorCode::CONFIG_INVALID, s.conninfo_error};

    const auto deadline = Clock::now() + options_.acquire_timeout;
    std::unique_lock lock(s.mutex);
    for (;;) {
        if (!s.idle.empty()) {
            auto conn = std::move(s.idle.back());
            s.idle.pop_back();
            if (idle_connection_is_stale(*conn)) {
                --s.open;
                continue;
            }
            return PgLease(this, std::move(conn));
        }
        if (s.open < options_.pool_size) break;
        if (s.connection_freed.wait_until(lock, deadline) == std::cv_status::timeout &&
            s.idle.empty() && s.open >= options_.pool_size) {
            return Error{ErrorCode::POOL_EXHAUSTED,
                         "no PostgreSQL connection free within " +
                             std::to_string(options_.acquire_timeout.count()) + " ms (pool size " +
                             std::to_string(options_.pool_size) + ")"};
        }
    }

    // Open a new connection (while PostgreSQL is down, the gate lets one probe through per
    // backoff period; everyone else fails fast).
    if (auto refused = s.gate.begin_attempt()) return *refused;
    ++s.open;
    const std::string conninfo = *s.conninfo;
    lock.unlock();

    std::unique_ptr<pqxx::connection> conn;
    std::string failure;
    try {
        conn = std::make_unique<pqxx::connection>(conninfo);
    } catch (const std::exception& e) {
        failure = one_line(e.what());
    }
    if (conn) {
        s.gate.succeeded();
        return PgLease(this, std::move(conn));
    }
    Error error = s.gate.failed(failure);
    lock.lock();
    --s.open;
    lock.unlock();
    s.connection_freed.notify_one();
    return error;
}

void PgPool::give_back(std::unique_ptr<pqxx::connection> conn) {
    State& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (conn && conn->is_open()) {
            s.idle.push_back(std::move(conn));
        } else {
            --s.open;
            if (conn) s.gate.connection_lost();  // it broke while leased
        }
    }
    s.connection_freed.notify_one();
}

bool PgPool::healthy() const { return state_->gate.healthy(); }

std::size_t PgPool::open_connections() const {
    std::lock_guard lock(state_->mutex);
    return state_->open;
}

Status PgPool::ping() {
    State& s = *state_;
    if (!s.conninfo) return Error{ErrorCode::CONFIG_INVALID, s.conninfo_error};
    std::lock_guard probing(s.probe_mutex);
    if (s.probe && idle_connection_is_stale(*s.probe)) {
        s.probe.reset();
        s.gate.connection_lost();  // the server ended it: no earlier success answers for it now
    }
    if (!s.probe) {
        // A connect or request of the pool that just succeeded answers for the server. Opening
        // one more connection at that moment waits among the returning requests: after a
        // restart under load, 0.2-1.2 s on two busy cores (PostgreSQL authorized it in 10-110
        // ms), which kept /readyz at 503 that long. A later ping opens it.
        if (s.gate.succeeded_within(kSuccessAnswersPing)) return {};
        // While PostgreSQL is down, the gate lets one attempt through per backoff period, the
        // pool's and the ping's together.
        if (auto refused = s.gate.begin_attempt()) return *refused;
        try {
            s.probe = std::make_unique<pqxx::connection>(*s.conninfo);
        } catch (const std::exception& e) {
            return s.gate.failed(one_line(e.what()));
        }
        s.gate.succeeded();
    }
    try {
        pqxx::nontransaction tx(*s.probe);
        tx.exec("SELECT 1");
        s.gate.request_succeeded();
        return {};
    } catch (const std::exception& e) {
        s.probe.reset();
        s.gate.connection_lost();
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     std::string("PostgreSQL ping failed: ") + one_line(e.what())};
    }
}

}  // namespace admit::store
