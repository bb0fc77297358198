// RedisPool: the host's Redis client. Callers on any thread hand it commands; `pool_size`
// connections carry them, and whoever takes a connection sends whatever is queued as ONE pipeline
// and hands each caller its reply (automatic pipelining). A synchronous caller that finds a
// connection free sends its own command itself, with whatever else is queued, and reads the
// replies on its own thread: no thread switch to a lane and back, which was most of the CPU of a
// Redis call on a busy host (two futex wake-ups per command; perf, `scripts/bench queue`). When
// every connection is busy the command is queued, and the first connection to come free carries
// it: `pool_size` lane threads take queued commands (and every send()) whenever a connection is
// free, so under load a pipeline fills while the previous one is answered and Redis and the host
// pay one read and one write per pipeline instead of per command. The host owns the pool;
// plugins reach Redis only through the ABI functions the host implements on top of it.
//
// Because connections are shared, commands that change a connection's state or block it are
// refused (INVALID_ARGUMENT): MULTI/EXEC/WATCH (use a Lua script), SELECT, SUBSCRIBE and the
// blocking pops and reads (BLPOP, XREAD BLOCK, WAIT ...). Everything else (including EVAL and
// EVALSHA) is fine.
//
// Thread-safety: every member is thread-safe. Constructing a RedisPool makes the process ignore
// SIGPIPE (hiredis writes to sockets that the server may have closed); the host ignores it anyway.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/result.hpp"
#include "host/store/redis_connection.hpp"
#include "host/store/redis_reply.hpp"

namespace admit::store {

struct RedisOptions {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::size_t pool_size = 4;  // lanes: connections, each with its own I/O thread
    std::chrono::milliseconds connect_timeout{500};
    std::chrono::milliseconds command_timeout{1000};
    // How long a command may wait for a lane to take it before it fails with POOL_EXHAUSTED.
    std::chrono::milliseconds acquire_timeout{1000};
    std::size_t max_pipeline = 512;         // commands per pipeline at most
    std::size_t max_async_queued = 100000;  // send()s waiting at most
    // After a failed connect, new connections are refused (fail fast) for a backoff that starts
    // at reconnect_backoff_min and doubles up to reconnect_backoff_max while failures continue.
    // Only one attempt is in flight at a time, so a long outage costs five connects a second
    // per process (each refused at once), and a server that is back is found within 200 ms, as
    // for PostgreSQL (PgOptions): the fleet's recovery goal is 2 s after a restart, and at
    // 500 ms this wait was most of a Redis restart's 0.48 s p50 (scripts/chaos, 200 runs).
    std::chrono::milliseconds reconnect_backoff_min{100};
    std::chrono::milliseconds reconnect_backoff_max{200};
    // AUTH on every connection (Redis 6 ACL user; empty password: none).
    RedisConnection::Credentials credentials;
};

/// True when a failed connection or PING (its message, as the pool reports it) says that trying
/// again cannot help without an operator: AUTH refused, NOAUTH, WRONGPASS, NOPERM. False for
/// what passes by itself (connection refused, LOADING, a timeout).
bool is_permanent_redis_failure(const Error& error);

class RedisPool {
  public:
    explicit RedisPool(RedisOptions options);
    // Fails every queued command (DEPENDENCY_UNAVAILABLE), then joins the lanes. No call may be
    // running or start concurrently.
    ~RedisPool();
    RedisPool(const RedisPool&) = delete;
    RedisPool& operator=(const RedisPool&) = delete;

    // Sends one command (argv[0] is the command name; every argument is binary-safe) and returns
    // the reply tree. A Redis error reply (e.g. WRONGTYPE) is a reply of Type::Error, not a
    // failure. Failures: "DEPENDENCY_UNAVAILABLE" (cannot connect, connection lost; fails fast
    // during reconnect backoff), "TIMEOUT" (no reply within command_timeout), "POOL_EXHAUSTED"
    // (no lane took it within acquire_timeout), "INVALID_ARGUMENT" (empty argv, or a command
    // that cannot share a connection, see above). Blocks the calling thread until answered.
    Result<RedisReply> command(std::span<const std::string_view> argv);

    // Queues one command and returns at once (the arguments are copied). `done` runs on the
    // thread that carried the pipeline (a lane, or a command() caller) with the reply or the
    // failure: those of command(), POOL_EXHAUSTED when no lane took it within acquire_timeout,
    // DEPENDENCY_UNAVAILABLE when the pool shuts down first. `done` must be quick, must not throw
    // and must not wait for the pool. Refused at once (nothing queued, `done` not run): unshareable
    // commands, and more than max_async_queued waiting.
    using Done = std::function<void(Result<RedisReply>)>;
    Status send(std::span<const std::string_view> argv, Done done);

    // Sends several commands back to back in one pipeline on one connection; replies in order.
    // Fails as a whole like command(); individual Redis error replies are Type::Error elements.
    Result<std::vector<RedisReply>> commands(std::span<const std::vector<std::string_view>> batch);

    // True when the last connect, command or ping succeeded.
    bool healthy() const;
    // PING through a lane; updates healthy().
    Status ping();

    const RedisOptions& options() const { return options_; }
    // Connections currently open. For tests and metrics.
    std::size_t open_connections() const;
    // Pipelines sent and commands in them so far. For tests and metrics.
    std::uint64_t pipelines_sent() const;
    std::uint64_t commands_sent() const;
    // Pipelines sent by a synchronous caller on its own thread (the rest went through a lane).
    std::uint64_t pipelines_led_by_callers() const;

  private:
    struct Call;
    struct Slot;
    struct State;
    Status submit(Call& call);
    void run_lane();
    // Under State::mutex: moves queued calls into `pipeline` up to max_pipeline commands; async
    // calls that waited past acquire_timeout go to `expired` instead.
    void take_queued(std::vector<Call*>& pipeline, std::size_t& commands,
                     std::vector<Call*>& expired);
    // Sends `pipeline` on `slot` (connecting first if needed) and finishes every call in it.
    void run_pipeline(Slot& slot, const std::vector<Call*>& pipeline, std::size_t commands);
    // Marks `slot` free and wakes a lane when calls are queued.
    void release_slot(Slot& slot);
    RedisOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace admit::store
