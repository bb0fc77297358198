#include "host/store/redis_pool.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "host/store/reconnect_gate.hpp"
#include "host/store/redis_connection.hpp"

namespace admit::store {

using Clock = std::chrono::steady_clock;

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Commands that change or block the connection they run on: on a shared, pipelined connection
// they would leak into (or stall) every other caller's commands.
std::optional<Error> refuse_unshareable(std::span<const std::string_view> argv) {
    if (argv.empty()) return Error{ErrorCode::INVALID_ARGUMENT, "empty Redis command"};
    static constexpr std::string_view kConnectionState[] = {
        "MULTI",      "EXEC",       "DISCARD", "WATCH",    "UNWATCH",    "SELECT",   "SUBSCRIBE",
        "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "RESET",    "QUIT",       "HELLO",    "AUTH",
        "BLPOP",      "BRPOP",      "BLMOVE",  "BLMPOP",   "BRPOPLPUSH", "BZPOPMIN", "BZPOPMAX",
        "BZMPOP",     "WAIT",       "WAITAOF", "READONLY", "READWRITE"};
    const std::string_view name = argv.front();
    bool refused = std::any_of(std::begin(kConnectionState), std::end(kConnectionState),
                               [&](std::string_view c) { return equals_ignoring_case(name, c); });
    if (!refused && equals_ignoring_case(name, "CLIENT") && argv.size() > 1) {
        static constexpr std::string_view kHarmless[] = {"LIST", "INFO",  "ID",     "GETNAME",
                                                         "KILL", "PAUSE", "UNPAUSE"};
        refused = std::none_of(std::begin(kHarmless), std::end(kHarmless), [&](std::string_view c) {
            return equals_ignoring_case(argv[1], c);
        });
    }
    if (!refused &&
        (equals_ignoring_case(name, "XREAD") || equals_ignoring_case(name, "XREADGROUP"))) {
        refused = std::any_of(argv.begin() + 1, argv.end(),
                              [](std::string_view a) { return equals_ignoring_case(a, "BLOCK"); });
    }
    if (!refused) return std::nullopt;
    return Error{ErrorCode::INVALID_ARGUMENT,
                 "Redis command " + std::string(name) +
                     " changes or blocks its connection, and the host's connections are shared; "
                     "use a Lua script instead"};
}

Error shutting_down() {
    return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "the Redis pool is shutting down"};
}

Error not_taken_in_time(std::chrono::milliseconds acquire_timeout) {
    return Error{ErrorCode::POOL_EXHAUSTED, "no Redis connection took the command within " +
                                                std::to_string(acquire_timeout.count()) + " ms"};
}

}  // namespace

// One caller's command(s): on the caller's stack (command, commands), or on the heap owning its
// arguments (send; deleted by finish). `taken` is guarded by State::mutex; the result fields by
// done_mutex. After finish() the lane never touches the call again.
struct RedisPool::Call {
    Done done_callback;  // set: an asynchronous call
    std::vector<std::string> owned;
    std::vector<std::string_view> owned_views;
    std::span<const std::string_view> single;
    std::span<const std::vector<std::string_view>> group;  // non-empty: a commands() call
    Clock::time_point queued_at;
    bool taken = false;

    std::mutex done_mutex;
    std::condition_variable done_cv;
    bool done = false;
    Status status;
    std::vector<RedisReply> replies;

    std::size_t command_count() const { return group.empty() ? 1 : group.size(); }
};

// One connection. A slot is busy while one thread (a lane, or a caller leading its own
// pipeline) runs a pipeline on it; `connection` is touched only by that thread.
struct RedisPool::Slot {
    std::optional<RedisConnection> connection;
    bool busy = false;  // guarded by State::mutex
};

struct RedisPool::State {
    State(const RedisOptions& o, std::size_t slot_count)
        : gate("Redis " + o.host + ":" + std::to_string(o.port), o.reconnect_backoff_min,
               o.reconnect_backoff_max),
          slots(slot_count) {}
    std::mutex mutex;
    std::condition_variable work;  // lanes: a call is queued and a slot is free, or stopping
    std::deque<Call*> queue;
    bool stopping = false;
    ReconnectGate gate;
    std::vector<Slot> slots;  // `busy` guarded by mutex
    std::atomic<std::size_t> open{0};
    std::atomic<std::uint64_t> pipelines{0};
    std::atomic<std::uint64_t> commands{0};
    std::atomic<std::uint64_t> led{0};
    std::atomic<std::size_t> async_queued{0};
    std::vector<std::thread> lanes;

    // Under mutex.
    bool any_slot_free() const {
        return std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return !s.busy; });
    }
    // Under mutex: a free slot, marked busy (one with an open connection first), or null.
    Slot* claim_slot() {
        Slot* chosen = nullptr;
        for (Slot& slot : slots) {
            if (slot.busy) continue;
            if (chosen == nullptr || (slot.connection && !chosen->connection)) chosen = &slot;
        }
        if (chosen != nullptr) chosen->busy = true;
        return chosen;
    }
};

namespace {

template <typename CallT>
void finish(CallT& call, Status status) {
    if (call.done_callback) {
        std::unique_ptr<CallT> owned(&call);
        if (status) {
            call.done_callback(std::move(call.replies.front()));
        } else {
            call.done_callback(status.error());
        }
        return;
    }
    std::lock_guard lock(call.done_mutex);
    call.status = std::move(status);
    call.done = true;
    call.done_cv.notify_one();  // under the lock: the caller cannot return before we let go
}

}  // namespace

RedisPool::RedisPool(RedisOptions options) : options_(std::move(options)) {
    if (options_.pool_size == 0) options_.pool_size = 1;
    if (options_.max_pipeline == 0) options_.max_pipeline = 1;
    state_ = std::make_unique<State>(options_, options_.pool_size);
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
        std::signal(SIGPIPE, SIG_IGN);
    }
    for (std::size_t i = 0; i < options_.pool_size; ++i) {
        state_->lanes.emplace_back([this] { run_lane(); });
    }
}

RedisPool::~RedisPool() {
    std::deque<Call*> abandoned;
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        abandoned.swap(state_->queue);
        for (Call* call : abandoned) call->taken = true;
    }
    state_->work.notify_all();
    for (Call* call : abandoned) {
        if (call->done_callback) state_->async_queued.fetch_sub(1, std::memory_order_relaxed);
        finish(*call, shutting_down());
    }
    for (auto& lane : state_->lanes) lane.join();
}

void RedisPool::take_queued(std::vector<Call*>& pipeline, std::size_t& commands,
                            std::vector<Call*>& expired) {
    State& s = *state_;
    const auto now = Clock::now();
    while (!s.queue.empty()) {
        Call* call = s.queue.front();
        if (commands > 0 && commands + call->command_count() > options_.max_pipeline) break;
        s.queue.pop_front();
        call->taken = true;
        if (call->done_callback) {
            s.async_queued.fetch_sub(1, std::memory_order_relaxed);
            if (now - call->queued_at > options_.acquire_timeout) {
                expired.push_back(call);  // a synchronous caller would have given up
                continue;
            }
        }
        pipeline.push_back(call);
        commands += call->command_count();
    }
}

void RedisPool::release_slot(Slot& slot) {
    State& s = *state_;
    bool more = false;
    {
        std::lock_guard lock(s.mutex);
        slot.busy = false;
        more = !s.queue.empty();
    }
    if (more) s.work.notify_one();
}

Status RedisPool::submit(Call& call) {
    State& s = *state_;
    call.queued_at = Clock::now();
    Slot* slot = nullptr;
    std::vector<Call*> pipeline;
    std::vector<Call*> expired;
    std::size_t commands = 0;
    {
        std::lock_guard lock(s.mutex);
        if (s.stopping) return shutting_down();
        slot = s.claim_slot();
        if (slot != nullptr) {
            // A free connection: this caller sends its own command, with whatever else is
            // queued, instead of handing it to a lane and waiting to be woken.
            call.taken = true;
            pipeline.push_back(&call);
            commands = call.command_count();
            take_queued(pipeline, commands, expired);
        } else {
            s.queue.push_back(&call);
        }
    }
    if (slot != nullptr) {
        s.led.fetch_add(1, std::memory_order_relaxed);
        for (Call* late : expired) finish(*late, not_taken_in_time(options_.acquire_timeout));
        run_pipeline(*slot, pipeline, commands);
        release_slot(*slot);
        return call.status;  // finished on this thread by run_pipeline
    }
    // No connection was free, so no lane can take it now: the next release_slot() wakes one.
    std::unique_lock done(call.done_mutex);
    if (!call.done_cv.wait_until(done, call.queued_at + options_.acquire_timeout,
                                 [&] { return call.done; })) {
        done.unlock();
        {
            std::lock_guard lock(s.mutex);
            if (!call.taken) {
                s.queue.erase(std::find(s.queue.begin(), s.queue.end(), &call));
                return not_taken_in_time(options_.acquire_timeout);
            }
        }
        done.lock();  // someone is sending it: it is answered within command_timeout
        call.done_cv.wait(done, [&] { return call.done; });
    }
    return call.status;
}

void RedisPool::run_lane() {
    State& s = *state_;
    std::vector<Call*> pipeline;
    std::vector<Call*> expired;
    for (;;) {
        pipeline.clear();
        std::size_t commands = 0;  // in `pipeline`
        Slot* slot = nullptr;
        {
            std::unique_lock lock(s.mutex);
            s.work.wait(lock,
                        [&] { return s.stopping || (!s.queue.empty() && s.any_slot_free()); });
            if (s.stopping) break;
            take_queued(pipeline, commands, expired);
            if (!pipeline.empty()) slot = s.claim_slot();
            // More than one pipeline's worth, and another slot for it.
            if (!s.queue.empty() && s.any_slot_free()) s.work.notify_one();
        }
        for (Call* call : expired) finish(*call, not_taken_in_time(options_.acquire_timeout));
        expired.clear();
        if (slot == nullptr) continue;
        run_pipeline(*slot, pipeline, commands);
        release_slot(*slot);
    }
}

void RedisPool::run_pipeline(Slot& slot, const std::vector<Call*>& pipeline, std::size_t commands) {
    State& s = *state_;
    auto& connection = slot.connection;
    auto drop_connection = [&] {
        if (!connection) return;
        connection.reset();
        s.open.fetch_sub(1, std::memory_order_relaxed);
    };
    if (connection && connection->closed_while_idle()) drop_connection();
    if (!connection) {
        // While Redis is down, the gate lets one probe through per backoff period.
        std::optional<Error> refused = s.gate.begin_attempt();
        if (!refused) {
            auto opened =
                RedisConnection::open(options_.host, options_.port, options_.connect_timeout,
                                      options_.command_timeout, options_.credentials);
            if (opened) {
                s.gate.succeeded();
                connection.emplace(std::move(opened).value());
                s.open.fetch_add(1, std::memory_order_relaxed);
            } else {
                refused = s.gate.failed(opened.error().message);
            }
        }
        if (refused) {
            for (Call* call : pipeline) finish(*call, *refused);
            return;
        }
    }

    for (Call* call : pipeline) {
        if (call->group.empty()) {
            connection->append(call->single);
        } else {
            for (const auto& argv : call->group) connection->append(argv);
        }
    }
    s.pipelines.fetch_add(1, std::memory_order_relaxed);
    s.commands.fetch_add(commands, std::memory_order_relaxed);

    std::optional<Error> failure;
    for (Call* call : pipeline) {
        if (!failure) {
            call->replies.reserve(call->command_count());
            for (std::size_t i = 0; i < call->command_count(); ++i) {
                auto reply = connection->next_reply();
                if (!reply) {
                    failure = reply.error();
                    // Before anyone hears of it: a caller that sees the failure never
                    // finds the broken connection still counted as open.
                    s.gate.connection_lost();
                    drop_connection();
                    break;
                }
                call->replies.push_back(std::move(reply).value());
            }
        }
        finish(*call, failure ? Status(*failure) : Status());
    }
    if (!failure) s.gate.request_succeeded();
}

Result<RedisReply> RedisPool::command(std::span<const std::string_view> argv) {
    if (auto refused = refuse_unshareable(argv)) return *refused;
    Call call;
    call.single = argv;
    if (Status status = submit(call); !status) return status.error();
    return std::move(call.replies.front());
}

Status RedisPool::send(std::span<const std::string_view> argv, Done done) {
    if (auto refused = refuse_unshareable(argv)) return *refused;
    State& s = *state_;
    if (s.async_queued.load(std::memory_order_relaxed) >= options_.max_async_queued) {
        return Error{ErrorCode::POOL_EXHAUSTED, "too many Redis commands are waiting"};
    }
    auto call = std::make_unique<Call>();
    call->owned.assign(argv.begin(), argv.end());
    call->owned_views.assign(call->owned.begin(), call->owned.end());
    call->single = call->owned_views;
    call->done_callback = std::move(done);
    call->queued_at = Clock::now();
    {
        std::lock_guard lock(s.mutex);
        if (s.stopping) return shutting_down();
        s.async_queued.fetch_add(1, std::memory_order_relaxed);
        s.queue.push_back(call.release());
    }
    s.work.notify_one();
    return {};
}

Result<std::vector<RedisReply>> RedisPool::commands(
    std::span<const std::vector<std::string_view>> batch) {
    for (const auto& argv : batch) {
        if (auto refused = refuse_unshareable(argv)) return *refused;
    }
    if (batch.empty()) return std::vector<RedisReply>{};
    Call call;
    call.group = batch;
    if (Status status = submit(call); !status) return status.error();
    return std::move(call.replies);
}

bool RedisPool::healthy() const { return state_->gate.healthy(); }

bool is_permanent_redis_failure(const Error& error) {
    if (error.code == ErrorCode::AUTH_REFUSED) return true;
    for (std::string_view text : {"refused AUTH", "NOAUTH", "WRONGPASS", "NOPERM"})
        if (error.message.find(text) != std::string::npos) return true;
    return false;
}

Status RedisPool::ping() {
    const std::string_view argv[] = {"PING"};
    auto reply = command(argv);
    if (!reply) return reply.error();
    if (reply->is_error()) {
        // NOAUTH / WRONGPASS / NOPERM: the credentials, not the server's state (LOADING, ...).
        const bool refused = reply->str.rfind("NOAUTH", 0) == 0 ||
                             reply->str.rfind("WRONGPASS", 0) == 0 ||
                             reply->str.rfind("NOPERM", 0) == 0;
        return Error{refused ? ErrorCode::AUTH_REFUSED : ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "Redis PING answered: " + reply->str};
    }
    return {};
}

std::size_t RedisPool::open_connections() const {
    return state_->open.load(std::memory_order_relaxed);
}

std::uint64_t RedisPool::pipelines_sent() const {
    return state_->pipelines.load(std::memory_order_relaxed);
}

std::uint64_t RedisPool::commands_sent() const {
    return state_->commands.load(std::memory_order_relaxed);
}

std::uint64_t RedisPool::pipelines_led_by_callers() const {
    return state_->led.load(std::memory_order_relaxed);
}

}  // namespace admit::store
