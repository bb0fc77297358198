#include "sessions.hpp"

#include <admit/sdk/ids.hpp>

#include "encoding.hpp"

namespace admit::auth {
namespace {

constexpr std::size_t kRefreshTokenBytes = 32;

sdk::Result<std::string> insert_refresh_token(sdk::Tx& tx, const std::string& session_id,
                                              int64_t now, int64_t ttl_seconds) {
    std::string token = "rt_" + random_token(kRefreshTokenBytes);
    auto inserted = tx.exec(
        "INSERT INTO auth.refresh_tokens (token_hash, session_id, issued_at, expires_at) "
        "VALUES ($1, $2, to_timestamp($3), to_timestamp($4))",
        sha256_hex(token), session_id, now, now + ttl_seconds);
    if (!inserted) return std::move(inserted).error();
    return token;
}

}  // namespace

sdk::Result<IssuedRefresh> start_session(sdk::Database& db, const User& user,
                                         std::string_view remote_addr, int64_t now,
                                         const SessionBounds& bounds,
                                         const std::string& client_id) {
    IssuedRefresh issued;
    issued.session_id = sdk::new_id("ses");
    issued.client_id = client_id;
    auto status = db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto session = tx.exec(
            "INSERT INTO auth.sessions (id, user_id, created_at, client_id) "
            "VALUES ($1, $2, to_timestamp($3), $4)",
            issued.session_id, user.id, now, client_id);
        if (!session) return std::move(session).error();
        auto token = insert_refresh_token(tx, issued.session_id, now, bounds.refresh_ttl_seconds);
        if (!token) return std::move(token).error();
        issued.refresh_token = std::move(*token);
        auto displaced = tx.exec(
            "UPDATE auth.sessions SET revoked_at = to_timestamp($3), revoked_reason = "
            "'SESSION_LIMIT' WHERE id IN (SELECT id FROM auth.sessions WHERE user_id = $1 AND "
            "revoked_at IS NULL ORDER BY login_seq DESC OFFSET $2) RETURNING id",
            user.id, bounds.max_sessions, now);
        if (!displaced) return std::move(displaced).error();
        for (const auto& row : *displaced) {
            issued.displaced_sessions.push_back(row.text("id"));
            if (auto s = tx.publish("auth.logged_out", user.id,
                                    {{"userId", user.id},
                                     {"sessionId", row.text("id")},
                                     {"reason", "SESSION_LIMIT"}},
                                    "system");
                !s)
                return s;
        }
        return tx.publish(
            "auth.login_succeeded", user.id,
            {{"userId", user.id}, {"sessionId", issued.session_id}, {"remoteAddr", remote_addr}},
            user.id);
    });
    if (!status) return std::move(status).error();
    return issued;
}

sdk::Result<RefreshResult> rotate_refresh_token(sdk::Database& db, const std::string& refresh_token,
                                                int64_t now, const SessionBounds& bounds) {
    RefreshResult result;
    auto status = db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "SELECT r.session_id, r.used_at IS NOT NULL AS used, (r.expires_at <= to_timestamp($2) "
            "OR s.created_at <= to_timestamp($2 - $3)) AS expired, "
            "s.revoked_at IS NOT NULL AS revoked, s.user_id, s.client_id FROM auth.refresh_tokens "
            "r "
            "JOIN auth.sessions s ON s.id = r.session_id WHERE r.token_hash = $1 FOR UPDATE OF r, "
            "s",
            sha256_hex(refresh_token), now, bounds.family_lifetime_seconds);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return {};  // invalid
        const auto row = rows->front();
        const std::string session_id = row.text("session_id");
        const std::string user_id = row.text("user_id");
        if (row.boolean("used").value_or(true)) {
            result.outcome = RefreshOutcome::reused;
            result.issued.session_id = session_id;
            if (row.boolean("revoked").value_or(true))
                return {};  // already revoked: nothing new to record
            auto revoked = tx.exec(
                "UPDATE auth.sessions SET revoked_at = to_timestamp($2), revoked_reason = "
                "'TOKEN_REUSED' WHERE id = $1",
                session_id, now);
            if (!revoked) return std::move(revoked).error();
            return tx.publish("auth.token_reused", user_id,
                              {{"userId", user_id}, {"sessionId", session_id}}, "system");
        }
        if (row.boolean("revoked").value_or(true) || row.boolean("expired").value_or(true))
            return {};  // invalid
        auto user = lock_user(tx, user_id);
        if (!user) return std::move(user).error();
        if (!*user) return {};
        if ((*user)->suspended()) {
            result.outcome = RefreshOutcome::suspended;
            return {};
        }
        auto used = tx.exec(
            "UPDATE auth.refresh_tokens SET used_at = to_timestamp($2) WHERE token_hash = $1",
            sha256_hex(refresh_token), now);
        if (!used) return std::move(used).error();
        auto token = insert_refresh_token(tx, session_id, now, bounds.refresh_ttl_seconds);
        if (!token) return std::move(token).error();
        result.outcome = RefreshOutcome::rotated;
        result.issued = {session_id, std::move(*token), row.text("client_id")};
        result.user = std::move(**user);
        return {};
    });
    if (!status) return std::move(status).error();
    return result;
}

sdk::Result<bool> end_session(sdk::Database& db, const std::string& user_id,
                              const std::string& session_id, int64_t now) {
    bool ended = false;
    auto status = db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto revoked = tx.exec(
            "UPDATE auth.sessions SET revoked_at = to_timestamp($3), revoked_reason = 'LOGOUT' "
            "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            session_id, user_id, now);
        if (!revoked) return std::move(revoked).error();
        ended = revoked->affected > 0;
        if (!ended) return {};
        return tx.publish("auth.logged_out", user_id,
                          {{"userId", user_id}, {"sessionId", session_id}}, user_id);
    });
    if (!status) return std::move(status).error();
    return ended;
}

sdk::Result<uint64_t> purge_expired_refresh_tokens(sdk::Database& db, int64_t now) {
    auto deleted =
        db.exec("DELETE FROM auth.refresh_tokens WHERE expires_at < to_timestamp($1)", now - 86400);
    if (!deleted) return std::move(deleted).error();
    return deleted->affected;
}

}  // namespace admit::auth
