// RedisPool: the host's bounded pool of synchronous hiredis (0.14) connections. The host owns
// it; plugins reach Redis only through the ABI functions the host implements on top of it.
//
// Thread-safety: every member is thread-safe; each call uses one pooled connection exclusively.
// Constructing a RedisPool makes the process ignore SIGPIPE (hiredis writes to sockets that the
// server may have closed); the host ignores it anyway.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/result.hpp"
#include "host/store/redis_reply.hpp"

struct redisContext;

namespace admit::store {

struct RedisOptions {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::size_t pool_size = 16;
    std::chrono::milliseconds connect_timeout{500};
    std::chrono::milliseconds command_timeout{1000};
    std::chrono::milliseconds acquire_timeout{1000};  // waiting for a free connection
    // After a failed connect, new connections are refused (fail fast) for a backoff that starts
    // at reconnect_backoff_min and doubles up to reconnect_backoff_max while failures continue.
    std::chrono::milliseconds reconnect_backoff_min{100};
    std::chrono::milliseconds reconnect_backoff_max{2000};
};

class RedisPool {
  public:
    explicit RedisPool(RedisOptions options);
    ~RedisPool();
    RedisPool(const RedisPool&) = delete;
    RedisPool& operator=(const RedisPool&) = delete;

    // Sends one command (argv[0] is the command name; every argument is binary-safe) and returns
    // the reply tree. A Redis error reply (e.g. WRONGTYPE) is a reply of Type::Error, not a
    // failure. Failures: "DEPENDENCY_UNAVAILABLE" (cannot connect, connection lost; fails fast
    // during reconnect backoff), "TIMEOUT" (no reply within command_timeout), "POOL_EXHAUSTED",
    // "INVALID_ARGUMENT" (empty argv).
    Result<RedisReply> command(std::span<const std::string_view> argv);

    // Sends several commands in one pipeline on one connection; replies in order. Fails as a
    // whole like command(); individual Redis error replies are Type::Error elements.
    Result<std::vector<RedisReply>> commands(std::span<const std::vector<std::string_view>> batch);

    // True when the last connect, command or ping succeeded.
    bool healthy() const;
    // PING on a pooled connection; updates healthy().
    Status ping();

    const RedisOptions& options() const { return options_; }
    // Connections currently open (idle + in use + being opened). For tests and metrics.
    std::size_t open_connections() const;

  private:
    // Runs `use` on a connection (idle, or newly opened within the bound). A connection whose
    // context reports an error afterwards is dropped, never reused.
    Status with_connection(const std::function<Status(redisContext&)>& use);
    struct State;
    RedisOptions options_;
    std::unique_ptr<State> state_;
};

}  // namespace admit::store
