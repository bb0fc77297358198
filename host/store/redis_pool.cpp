#include "host/store/redis_pool.hpp"

#include <hiredis.h>
#include <poll.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <mutex>

#include "host/store/reconnect_gate.hpp"

namespace admit::store {

using Clock = std::chrono::steady_clock;

namespace {

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
    void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// An idle connection has nothing to read unless the server closed it (e.g. restarted).
bool idle_context_is_stale(const redisContext& c) {
    if (c.err != 0) return true;
    pollfd fd{c.fd, POLLIN, 0};
    return ::poll(&fd, 1, 0) != 0;
}

Error io_error(const redisContext& c, int saved_errno) {
    const bool timed_out =
        saved_errno == EAGAIN || saved_errno == EWOULDBLOCK ||
        std::string_view(c.errstr).find("temporarily unavailable") != std::string_view::npos;
    if (c.err == REDIS_ERR_IO && timed_out) {
        return Error{"TIMEOUT", "Redis did not answer in time"};
    }
    return Error{"DEPENDENCY_UNAVAILABLE", std::string("Redis connection failed: ") + c.errstr};
}

}  // namespace

struct RedisPool::State {
    explicit State(const RedisOptions& o)
        : gate("Redis " + o.host + ":" + std::to_string(o.port), o.reconnect_backoff_min,
               o.reconnect_backoff_max) {}
    mutable std::mutex mutex;
    std::condition_variable connection_freed;
    std::vector<Context> idle;
    std::size_t open = 0;  // idle + in use + being opened
    ReconnectGate gate;
};

RedisPool::RedisPool(RedisOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>(options_)) {
    if (options_.pool_size == 0) options_.pool_size = 1;
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
        std::signal(SIGPIPE, SIG_IGN);
    }
}

RedisPool::~RedisPool() = default;

namespace {

// Exclusive use of one connection; returns it to the pool unless it failed.
class RedisLease {
  public:
    RedisLease(std::mutex& mutex, std::condition_variable& freed, std::vector<Context>& idle,
               std::size_t& open, Context context)
        : mutex_(mutex), freed_(freed), idle_(idle), open_(open), context_(std::move(context)) {}
    RedisLease(const RedisLease&) = delete;
    RedisLease& operator=(const RedisLease&) = delete;
    ~RedisLease() {
        {
            std::lock_guard lock(mutex_);
            if (context_ && context_->err == 0) {
                idle_.push_back(std::move(context_));
            } else {
                --open_;
            }
        }
        freed_.notify_one();
    }
    redisContext& context() { return *context_; }

  private:
    std::mutex& mutex_;
    std::condition_variable& freed_;
    std::vector<Context>& idle_;
    std::size_t& open_;
    Context context_;
};

}  // namespace

Status RedisPool::with_connection(const std::function<Status(redisContext&)>& use) {
    State& s = *state_;
    const RedisOptions& o = options_;
    const auto deadline = Clock::now() + o.acquire_timeout;
    std::unique_lock lock(s.mutex);
    Context context;
    for (;;) {
        while (!s.idle.empty() && !context) {
            context = std::move(s.idle.back());
            s.idle.pop_back();
            if (idle_context_is_stale(*context)) {
                context.reset();
                --s.open;
            }
        }
        if (context || s.open < o.pool_size) break;
        if (s.connection_freed.wait_until(lock, deadline) == std::cv_status::timeout &&
            s.idle.empty() && s.open >= o.pool_size) {
            return Error{"POOL_EXHAUSTED", "no Redis connection free within " +
                                               std::to_string(o.acquire_timeout.count()) + " ms"};
        }
    }
    if (!context) {
        // While Redis is down, the gate lets one probe through per backoff period.
        if (auto refused = s.gate.begin_attempt()) return *refused;
        ++s.open;
        lock.unlock();
        Context fresh(
            redisConnectWithTimeout(o.host.c_str(), o.port, to_timeval(o.connect_timeout)));
        std::string failure;
        if (!fresh) {
            failure = "out of memory";
        } else if (fresh->err != 0) {
            failure = fresh->errstr;
        } else if (redisSetTimeout(fresh.get(), to_timeval(o.command_timeout)) != REDIS_OK) {
            failure = "cannot set command timeout";
        }
        if (!failure.empty()) {
            Error error = s.gate.failed(failure);
            lock.lock();
            --s.open;
            lock.unlock();
            s.connection_freed.notify_one();
            return error;
        }
        s.gate.succeeded();
        context = std::move(fresh);
    } else {
        lock.unlock();
    }

    RedisLease lease(s.mutex, s.connection_freed, s.idle, s.open, std::move(context));
    Status status = use(lease.context());
    if (lease.context().err == 0) {
        s.gate.request_succeeded();
    } else {
        s.gate.connection_lost();
    }
    return status;
}

Result<RedisReply> RedisPool::command(std::span<const std::string_view> argv) {
    if (argv.empty()) return Error{"INVALID_ARGUMENT", "empty Redis command"};
    RedisReply out;
    Status status = with_connection([&](redisContext& c) -> Status {
        std::vector<const char*> args;
        std::vector<size_t> lengths;
        args.reserve(argv.size());
        lengths.reserve(argv.size());
        for (auto a : argv) {
            args.push_back(a.data());
            lengths.push_back(a.size());
        }
        errno = 0;
        ReplyPtr reply(
            redisCommandArgv(&c, static_cast<int>(args.size()), args.data(), lengths.data()));
        if (!reply) return io_error(c, errno);
        out = RedisReply::from_hiredis(*static_cast<redisReply*>(reply.get()));
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<std::vector<RedisReply>> RedisPool::commands(
    std::span<const std::vector<std::string_view>> batch) {
    for (const auto& argv : batch) {
        if (argv.empty()) return Error{"INVALID_ARGUMENT", "empty Redis command in pipeline"};
    }
    std::vector<RedisReply> replies;
    Status status = with_connection([&](redisContext& c) -> Status {
        for (const auto& argv : batch) {
            std::vector<const char*> args;
            std::vector<size_t> lengths;
            for (auto a : argv) {
                args.push_back(a.data());
                lengths.push_back(a.size());
            }
            if (redisAppendCommandArgv(&c, static_cast<int>(args.size()), args.data(),
                                       lengths.data()) != REDIS_OK) {
                return io_error(c, errno);
            }
        }
        replies.reserve(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            void* raw = nullptr;
            errno = 0;
            if (redisGetReply(&c, &raw) != REDIS_OK) {
                if (c.err == 0) c.err = REDIS_ERR_OTHER;  // unread replies left: never reuse it
                return io_error(c, errno);
            }
            ReplyPtr reply(raw);
            replies.push_back(RedisReply::from_hiredis(*static_cast<redisReply*>(raw)));
        }
        return {};
    });
    if (!status) return status.error();
    return replies;
}

bool RedisPool::healthy() const { return state_->gate.healthy(); }

Status RedisPool::ping() {
    const std::string_view argv[] = {"PING"};
    auto reply = command(argv);
    if (!reply) return reply.error();
    if (reply->is_error())
        return Error{"DEPENDENCY_UNAVAILABLE", "Redis PING answered: " + reply->str};
    return {};
}

std::size_t RedisPool::open_connections() const {
    std::lock_guard lock(state_->mutex);
    return state_->open;
}

}  // namespace admit::store
