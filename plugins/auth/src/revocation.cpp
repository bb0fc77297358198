#include "revocation.hpp"

#include <charconv>

namespace admit::auth {
namespace {

constexpr std::string_view kReadyKey = "auth:revocation:ready";
constexpr std::string_view kPutUserScript = "auth_put_user";

// Writes "<version> <status>" unless the stored version is already newer, so a rebuild that read
// PostgreSQL before a concurrent admin change can never overwrite that change with older data.
constexpr std::string_view kPutUserSource = R"lua(
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(string.match(current, '^(%d+)'))
  if stored and stored > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
return 1
)lua";

std::string user_key(const std::string& id) { return "auth:user:" + id; }
std::string session_key(const std::string& id) { return "auth:session:" + id; }

sdk::Status refused(std::string why) { return sdk::Error::rejected(std::move(why)); }

/// Verdict from the stored user entry ("<version> <status>") for a token of `version`.
sdk::Status judge_user_entry(std::string_view entry, int64_t version)
{
    const auto space = entry.find(' ');
    int64_t stored = 0;
    const std::string_view number = entry.substr(0, space);
    if (std::from_chars(number.data(), number.data() + number.size(), stored).ec != std::errc{}) {
        return refused("malformed revocation entry");
    }
    const std::string_view status = space == std::string_view::npos ? std::string_view{} : entry.substr(space + 1);
    if (status == "suspended") return refused("the account is suspended");
    if (version < stored) return refused("the account changed after this token was issued");
    return {};
}

}  // namespace

Revocation::Revocation(sdk::Database& db, sdk::Redis& redis, int64_t session_block_seconds,
                       std::chrono::milliseconds allowed_window, std::size_t allowed_capacity)
    : db_(db), redis_(redis), session_block_seconds_(session_block_seconds), allowed_(allowed_window, allowed_capacity)
{
}

sdk::Status Revocation::register_scripts() { return redis_.register_script(kPutUserScript, kPutUserSource); }

sdk::Status Revocation::check(const std::string& user_id, const std::string& session_id, int64_t version, int64_t now)
{
    const auto checked = AllowedSessions::Clock::now();
    if (allowed_.allowed(session_id, user_id, version, checked)) return {};
    const uint64_t epoch = allowed_.epoch();
    sdk::Status verdict = check_uncached(user_id, session_id, version, now);
    if (verdict) allowed_.remember(session_id, user_id, version, checked, epoch);
    return verdict;
}

sdk::Status Revocation::check_uncached(const std::string& user_id, const std::string& session_id, int64_t version,
                                       int64_t now)
{
    auto reply = redis_.command({"MGET", std::string(kReadyKey), user_key(user_id), session_key(session_id)});
    const bool answered = reply && reply->type == sdk::RedisReply::Type::array && reply->elements.size() == 3;
    if (answered && !reply->elements[0].is_nil()) {
        if (!reply->elements[2].is_nil()) return refused("the session is revoked");
        if (reply->elements[1].is_nil()) return {};
        return judge_user_entry(reply->elements[1].str, version);
    }
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    if (answered) {
        // Redis is up but lost the set (restart, eviction): one thread rebuilds, the others ask PostgreSQL.
        std::unique_lock lock(rebuild_mutex_, std::try_to_lock);
        if (lock.owns_lock()) (void)rebuild(now);
    }
    return check_in_database(user_id, session_id, version);
}

sdk::Status Revocation::check_in_database(const std::string& user_id, const std::string& session_id, int64_t version)
{
    auto rows = db_.exec(
        "SELECT u.status, u.token_version, "
        "EXISTS (SELECT 1 FROM auth.sessions s WHERE s.id = $2 AND s.revoked_at IS NOT NULL) AS revoked "
        "FROM auth.users u WHERE u.id = $1",
        user_id, session_id);
    if (!rows) return sdk::Error{ADMIT_E_UNAVAILABLE, "revocation state unavailable: " + rows.error().message};
    if (rows->empty()) return refused("no such user");
    const auto row = rows->front();
    if (row.boolean("revoked").value_or(true)) return refused("the session is revoked");
    if (row.text("status") != "active") return refused("the account is suspended");
    if (version < row.int64("token_version").value_or(INT64_MAX)) {
        return refused("the account changed after this token was issued");
    }
    return {};
}

void Revocation::user_changed(const std::string& user_id, int64_t version, const std::string& status)
{
    allowed_.forget_all();  // rare (an admin action): not worth an index by user
    auto reply = redis_.eval(kPutUserScript, {user_key(user_id)}, {std::to_string(version), status});
    if (!reply || reply->is_error()) drop_ready_marker();
}

void Revocation::session_revoked(const std::string& session_id)
{
    allowed_.forget_session(session_id);
    auto reply = redis_.command(
        {"SET", session_key(session_id), "1", "EX", std::to_string(session_block_seconds_)});
    if (!reply || reply->is_error()) drop_ready_marker();
}

void Revocation::drop_ready_marker() { (void)redis_.command({"DEL", std::string(kReadyKey)}); }

sdk::Status Revocation::rebuild(int64_t now)
{
    auto users = db_.exec(
        "SELECT id, token_version, status FROM auth.users WHERE token_version > 0 OR status <> 'active'");
    if (!users) return std::move(users).error();
    for (const auto& row : *users) {
        auto reply = redis_.eval(kPutUserScript, {user_key(row.text("id"))},
                                 {std::to_string(row.int64("token_version").value_or(0)), row.text("status")});
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
        auto reply = redis_.command({"SET", session_key(row.text("id")), "1", "EX", std::to_string(remaining)});
        if (!reply) return std::move(reply).error();
    }
    auto ready = redis_.command({"SET", std::string(kReadyKey), "1"});
    if (!ready) return std::move(ready).error();
    return {};
}

}  // namespace admit::auth
