#include "revocation.hpp"

#include <charconv>

namespace admit::auth {
namespace {

constexpr std::string_view kReadyKey = "auth:revocation:ready";
constexpr std::string_view kLogKey = "auth:revocation:log";
constexpr std::string_view kPutUserScript = "auth_put_user";
constexpr std::string_view kRevokeSessionScript = "auth_revoke_session";

// Writes "<version> <status>" unless the stored version is already newer, so a rebuild that read
// PostgreSQL before a concurrent admin change can never overwrite that change with older data.
// A real change is appended to the revocation log (KEYS[2]) in the same atomic step, after the
// entry: a host that reads the log entry and forgets its verdicts re-checks against the new entry.
constexpr std::string_view kPutUserSource = R"lua(
local current = redis.call('GET', KEYS[1])
local value = ARGV[1] .. ' ' .. ARGV[2]
if current then
  if current == value then return 0 end
  local stored = tonumber(string.match(current, '^(%d+)'))
  if stored and stored > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], value)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '100000', '*', 'u', ARGV[3])
return 1
)lua";

// Blocks a session (KEYS[1], for ARGV[1] seconds) and logs it (KEYS[2]), atomically. With
// ARGV[3] = "restore" (a rebuild from PostgreSQL) only a block Redis did not have is written and
// logged: a revocation that never reached Redis (it was down) still reaches every host's verdicts.
constexpr std::string_view kRevokeSessionSource = R"lua(
if ARGV[3] == 'restore' then
  if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then return 0 end
else
  redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '100000', '*', 's', ARGV[2])
return 1
)lua";

std::string user_key(const std::string& id) { return "auth:user:" + id; }
std::string session_key(const std::string& id) { return "auth:session:" + id; }

sdk::Status refused(std::string why) { return sdk::Error::rejected(std::move(why)); }

/// Verdict from the stored user entry ("<version> <status>") for a token of `version`.
sdk::Status judge_user_entry(std::string_view entry, int64_t version) {
    const auto space = entry.find(' ');
    int64_t stored = 0;
    const std::string_view number = entry.substr(0, space);
    if (std::from_chars(number.data(), number.data() + number.size(), stored).ec != std::errc{}) {
        return refused("malformed revocation entry");
    }
    const std::string_view status =
        space == std::string_view::npos ? std::string_view{} : entry.substr(space + 1);
    if (status == "suspended") return refused("the account is suspended");
    if (version < stored) return refused("the account changed after this token was issued");
    return {};
}

}  // namespace

Revocation::Revocation(sdk::Database& db, sdk::Redis& redis, int64_t session_block_seconds,
                       std::chrono::milliseconds allowed_window, std::size_t allowed_capacity)
    : db_(db),
      redis_(redis),
      session_block_seconds_(session_block_seconds),
      allowed_(allowed_window, allowed_capacity) {}

sdk::Status Revocation::register_scripts() {
    if (auto s = redis_.register_script(kPutUserScript, kPutUserSource); !s) return s;
    return redis_.register_script(kRevokeSessionScript, kRevokeSessionSource);
}

sdk::Status Revocation::check(const std::string& user_id, const std::string& session_id,
                              int64_t version, int64_t now) {
    const auto checked = AllowedSessions::Clock::now();
    if (allowed_.allowed(session_id, user_id, version, checked)) return {};
    const uint64_t epoch = allowed_.epoch();
    sdk::Status verdict = check_uncached(user_id, session_id, version, now);
    if (verdict) allowed_.remember(session_id, user_id, version, checked, epoch);
    return verdict;
}

sdk::Status Revocation::check_uncached(const std::string& user_id, const std::string& session_id,
                                       int64_t version, int64_t now) {
    auto reply = redis_.command(
        {"MGET", std::string(kReadyKey), user_key(user_id), session_key(session_id)});
    const bool answered =
        reply && reply->type == sdk::RedisReply::Type::array && reply->elements.size() == 3;
    if (answered && !reply->elements[0].is_nil()) {
        if (!reply->elements[2].is_nil()) return refused("the session is revoked");
        if (reply->elements[1].is_nil()) return {};
        return judge_user_entry(reply->elements[1].str, version);
    }
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    if (answered) {
        // Redis is up but lost the set (restart, eviction): one thread rebuilds, the others ask
        // PostgreSQL.
        std::unique_lock lock(rebuild_mutex_, std::try_to_lock);
        if (lock.owns_lock()) (void)rebuild(now);
    }
    return check_in_database(user_id, session_id, version);
}

sdk::Status Revocation::check_in_database(const std::string& user_id, const std::string& session_id,
                                          int64_t version) {
    auto rows = db_.exec(
        "SELECT u.status, u.token_version, "
        "EXISTS (SELECT 1 FROM auth.sessions s WHERE s.id = $2 AND s.revoked_at IS NOT NULL) AS "
        "revoked "
        "FROM auth.users u WHERE u.id = $1",
        user_id, session_id);
    if (!rows)
        return sdk::Error::unavailable("revocation state unavailable: " + rows.error().message);
    if (rows->empty()) return refused("no such user");
    const auto row = rows->front();
    if (row.boolean("revoked").value_or(true)) return refused("the session is revoked");
    if (row.text("status") != "active") return refused("the account is suspended");
    if (version < row.int64("token_version").value_or(INT64_MAX)) {
        return refused("the account changed after this token was issued");
    }
    return {};
}

void Revocation::user_changed(const std::string& user_id, int64_t version,
                              const std::string& status) {
    allowed_.forget_all();  // rare (an admin action): not worth an index by user
    auto reply = redis_.eval(kPutUserScript, {user_key(user_id), std::string(kLogKey)},
                             {std::to_string(version), status, user_id});
    if (!reply || reply->is_error()) drop_ready_marker();
}

void Revocation::session_revoked(const std::string& session_id) {
    allowed_.forget_session(session_id);
    auto reply = redis_.eval(kRevokeSessionScript, {session_key(session_id), std::string(kLogKey)},
                             {std::to_string(session_block_seconds_), session_id, "revoke"});
    if (!reply || reply->is_error()) drop_ready_marker();
}

void Revocation::remember_issued(const std::string& user_id, const std::string& session_id,
                                 int64_t version, uint64_t epoch_before) {
    allowed_.remember(session_id, user_id, version, AllowedSessions::Clock::now(), epoch_before);
}

sdk::Status Revocation::follow_log(std::chrono::milliseconds trust_for) {
    auto untrusted = [&](sdk::Error error) -> sdk::Status {
        if (log_trusted_) allowed_.forget_all();
        log_trusted_ = false;
        allowed_.trust_until(AllowedSessions::Clock::time_point::min());
        return error;
    };
    const auto started = AllowedSessions::Clock::now();
    auto ready = redis_.command({"EXISTS", std::string(kReadyKey)});
    if (!ready) return untrusted(std::move(ready).error());
    if (ready->integer != 1)
        return untrusted(sdk::Error::state("the revocation set is being rebuilt"));
    if (log_position_.empty()) {
        auto last = redis_.command({"XREVRANGE", std::string(kLogKey), "+", "-", "COUNT", "1"});
        if (!last) return untrusted(std::move(last).error());
        log_position_ = last->elements.empty() || last->elements[0].elements.empty()
                            ? std::string("0-0")
                            : last->elements[0].elements[0].str;
    }
    for (;;) {
        auto read = redis_.command(
            {"XREAD", "COUNT", "1000", "STREAMS", std::string(kLogKey), log_position_});
        if (!read) return untrusted(std::move(read).error());
        if (read->is_error()) return untrusted(sdk::Error::internal("redis: " + read->str));
        if (read->is_nil() || read->elements.empty() || read->elements[0].elements.size() != 2)
            break;
        const auto& entries =
            read->elements[0].elements[1].elements;  // [[id, [field, value ...]] ...]
        for (const auto& entry : entries) {
            if (entry.elements.size() != 2) continue;
            const auto& fields = entry.elements[1].elements;
            for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
                if (fields[i].str == "s") {
                    allowed_.forget_session(fields[i + 1].str);
                } else {
                    allowed_.forget_all();
                }
            }
            log_position_ = entry.elements[0].str;
        }
        if (entries.size() < 1000) break;
    }
    log_trusted_ = true;
    allowed_.trust_until(started + trust_for);
    return {};
}

void Revocation::drop_ready_marker() { (void)redis_.command({"DEL", std::string(kReadyKey)}); }

sdk::Status Revocation::rebuild(int64_t now) {
    auto users = db_.exec(
        "SELECT id, token_version, status FROM auth.users WHERE token_version > 0 OR status <> "
        "'active'");
    if (!users) return std::move(users).error();
    for (const auto& row : *users) {
        auto reply = redis_.eval(kPutUserScript, {user_key(row.text("id")), std::string(kLogKey)},
                                 {std::to_string(row.int64("token_version").value_or(0)),
                                  row.text("status"), row.text("id")});
        if (!reply) return std::move(reply).error();
        if (reply->is_error()) return sdk::Error::internal("redis: " + reply->str);
    }
    auto sessions = db_.exec(
        "SELECT id, extract(epoch from revoked_at)::bigint AS revoked FROM auth.sessions "
        "WHERE revoked_at > to_timestamp($1)",
        now - session_block_seconds_);
    if (!sessions) return std::move(sessions).error();
    for (const auto& row : *sessions) {
        const int64_t remaining = row.int64("revoked").value_or(now) + session_block_seconds_ - now;
        if (remaining <= 0) continue;
        auto reply =
            redis_.eval(kRevokeSessionScript, {session_key(row.text("id")), std::string(kLogKey)},
                        {std::to_string(remaining), row.text("id"), "restore"});
        if (!reply) return std::move(reply).error();
        if (reply->is_error()) return sdk::Error::internal("redis: " + reply->str);
    }
    auto ready = redis_.command({"SET", std::string(kReadyKey), "1"});
    if (!ready) return std::move(ready).error();
    return {};
}

}  // namespace admit::auth
