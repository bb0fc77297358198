#include "host/store/redis_connection.hpp"

#include <hiredis.h>
#include <poll.h>

#include <cerrno>
#include <string>
#include <vector>

namespace admit::store {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Error io_error(const redisContext& c, int saved_errno) {
    const bool timed_out =
        saved_errno == EAGAIN || saved_errno == EWOULDBLOCK ||
        std::string_view(c.errstr).find("temporarily unavailable") != std::string_view::npos;
    if (c.err == REDIS_ERR_IO && timed_out) {
        return Error{ErrorCode::TIMEOUT, "Redis did not answer in time"};
    }
    return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                 std::string("Redis connection failed: ") + c.errstr};
}

struct ReplyDeleter {
    void operator()(void* r) const { freeReplyObject(r); }
};

// AUTH [user] password on a fresh connection. Redis's refusal text ("WRONGPASS invalid
// username-password pair ...") names no secret; ours names the user only.
Status authenticate(redisContext& c, const RedisConnection::Credentials& credentials) {
    std::vector<const char*> args{"AUTH"};
    std::vector<size_t> lengths{4};
    if (!credentials.user.empty()) {
        args.push_back(credentials.user.data());
        lengths.push_back(credentials.user.size());
    }
    args.push_back(credentials.password.data());
    lengths.push_back(credentials.password.size());
    std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
        redisCommandArgv(&c, static_cast<int>(args.size()), args.data(), lengths.data())));
    if (!reply) return io_error(c, errno);
    if (reply->type == REDIS_REPLY_ERROR) {
        const std::string who = credentials.user.empty() ? "the default user" : credentials.user;
        return Error{ErrorCode::AUTH_REFUSED,
                     "Redis refused AUTH as " + who + ": " + std::string(reply->str, reply->len)};
    }
    return {};
}

}  // namespace

void RedisConnection::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

RedisConnection::RedisConnection(std::unique_ptr<redisContext, ContextDeleter> context)
    : context_(std::move(context)) {}
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;
RedisConnection::~RedisConnection() = default;

Result<RedisConnection> RedisConnection::open(const std::string& host, int port,
                                              std::chrono::milliseconds connect_timeout,
                                              std::chrono::milliseconds command_timeout,
                                              const Credentials& credentials) {
    std::unique_ptr<redisContext, ContextDeleter> context(
        redisConnectWithTimeout(host.c_str(), port, to_timeval(connect_timeout)));
    if (!context) return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "out of memory"};
    if (context->err != 0) return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, context->errstr};
    if (redisSetTimeout(context.get(), to_timeval(command_timeout)) != REDIS_OK) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "cannot set command timeout"};
    }
    if (!credentials.password.empty()) {
        if (auto s = authenticate(*context, credentials); !s) return s.error();
    }
    return RedisConnection(std::move(context));
}

bool RedisConnection::usable() const { return context_ && context_->err == 0; }

bool RedisConnection::closed_while_idle() const {
    if (!usable()) return true;
    pollfd fd{context_->fd, POLLIN, 0};
    return ::poll(&fd, 1, 0) != 0;  // an idle connection has nothing to read unless closed
}

void RedisConnection::append(std::span<const std::string_view> argv) {
    constexpr std::size_t kInline = 16;
    const char* inline_args[kInline];
    size_t inline_lengths[kInline];
    std::vector<const char*> heap_args;
    std::vector<size_t> heap_lengths;
    const char** args = inline_args;
    size_t* lengths = inline_lengths;
    if (argv.size() > kInline) {
        heap_args.resize(argv.size());
        heap_lengths.resize(argv.size());
        args = heap_args.data();
        lengths = heap_lengths.data();
    }
    for (std::size_t i = 0; i < argv.size(); ++i) {
        args[i] = argv[i].data();
        lengths[i] = argv[i].size();
    }
    // Only fails on out-of-memory, which hiredis records in err: next_reply() then fails.
    (void)redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), args, lengths);
}

Result<RedisReply> RedisConnection::next_reply() {
    if (!context_) return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "Redis connection is closed"};
    if (!usable()) return io_error(*context_, 0);
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
        const int saved = errno;
        if (context_->err == 0) context_->err = REDIS_ERR_OTHER;  // never reuse it
        return io_error(*context_, saved);
    }
    std::unique_ptr<void, ReplyDeleter> reply(raw);
    return RedisReply::from_hiredis(*static_cast<redisReply*>(raw));
}

}  // namespace admit::store
