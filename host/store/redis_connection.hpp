// RedisConnection: one synchronous hiredis (0.14) connection that sends a run of commands as one
// pipeline (every command appended, one write, then the replies read in order). RedisPool's
// lanes each own one.
//
// Thread-safety: none; one thread uses a connection at a time.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/result.hpp"
#include "host/store/redis_reply.hpp"

struct redisContext;

namespace admit::store {

class RedisConnection {
  public:
    // Who the connection authenticates as (Redis 6 ACL): `AUTH user password`, or `AUTH password`
    // for the default user when `user` is empty. No password: no AUTH.
    struct Credentials {
        std::string user;
        std::string password;  // secret: never logged, never in an error message
    };

    // Connects (connect_timeout), sets the socket timeout for every later read and write
    // (command_timeout) and authenticates when `credentials` has a password. Error: the reason,
    // for ReconnectGate::failed (AUTH refusals are AUTH_REFUSED and name the user only).
    static Result<RedisConnection> open(const std::string& host, int port,
                                        std::chrono::milliseconds connect_timeout,
                                        std::chrono::milliseconds command_timeout,
                                        const Credentials& credentials = {});

    RedisConnection(RedisConnection&&) noexcept;
    RedisConnection& operator=(RedisConnection&&) noexcept;
    ~RedisConnection();

    // False once an I/O error happened: the connection may hold unread replies and must be
    // dropped. Also false when the server closed the connection while it was idle (a restart),
    // which only a connection with nothing in flight can tell.
    bool usable() const;
    bool closed_while_idle() const;

    // Appends one command to the output buffer (nothing is sent yet).
    void append(std::span<const std::string_view> argv);
    // Sends whatever append() buffered (on the first call) and reads the next reply. Failures:
    // "TIMEOUT" (no reply within command_timeout) and "DEPENDENCY_UNAVAILABLE" (connection
    // lost); after either, usable() is false.
    Result<RedisReply> next_reply();

  private:
    struct ContextDeleter {
        void operator()(redisContext* c) const;
    };
    explicit RedisConnection(std::unique_ptr<redisContext, ContextDeleter> context);
    std::unique_ptr<redisContext, ContextDeleter> context_;
};

}  // namespace admit::store
