// Sessions (refresh-token families) and refresh tokens in PostgreSQL.
//
// A refresh token is 256 random bits shown to the client once; only its SHA-256 is stored. Every
// use rotates it (the old one is marked used, a new one joins the same family). Presenting a used
// token again means it was copied: the whole family is revoked and auth.token_reused published.
// Stateless; thread-safe (concurrent uses of one token serialize on its row lock).
#pragma once

#include "user_store.hpp"

#include <admit/sdk.hpp>

#include <string>
#include <vector>

namespace admit::auth {

struct IssuedRefresh {
    std::string session_id;
    std::string refresh_token;
    std::string client_id;  ///< the client the session belongs to
    /// Older sessions of the user that starting this one revoked (over max_sessions); the caller
    /// blocks them in the revocation cache once this has committed.
    std::vector<std::string> displaced_sessions;
};

/// Bounds of a user's sessions (refresh-token families).
struct SessionBounds {
    int64_t refresh_ttl_seconds = 14 * 86400;      ///< one refresh token, from its issue
    int64_t family_lifetime_seconds = 30 * 86400;  ///< the whole family, from its login
    int64_t max_sessions = 10;  ///< open sessions per user; a login past it revokes the oldest
};

/// Starts a session of `client_id` for `user` (login) and publishes auth.login_succeeded, in one
/// transaction; revokes (reason SESSION_LIMIT, auth.logged_out) the user's oldest open sessions
/// beyond bounds.max_sessions.
sdk::Result<IssuedRefresh> start_session(sdk::Database& db, const User& user,
                                         std::string_view remote_addr, int64_t now,
                                         const SessionBounds& bounds, const std::string& client_id);

enum class RefreshOutcome {
    rotated,    ///< `issued` and `user` are set
    invalid,    ///< unknown, expired, or its session was logged out
    reused,     ///< theft: the family is now revoked (session_id set)
    suspended,  ///< the account is suspended
};

struct RefreshResult {
    RefreshOutcome outcome = RefreshOutcome::invalid;
    IssuedRefresh issued;
    User user;
};

/// Rotates `refresh_token`; on reuse revokes its family and publishes auth.token_reused
/// (committed). A family older than bounds.family_lifetime_seconds is invalid: rotation never
/// keeps a stolen family alive forever.
sdk::Result<RefreshResult> rotate_refresh_token(sdk::Database& db, const std::string& refresh_token,
                                                int64_t now, const SessionBounds& bounds);

/// Revokes session `session_id` of `user_id` and publishes auth.logged_out; false when it was
/// not an open session of that user.
sdk::Result<bool> end_session(sdk::Database& db, const std::string& user_id,
                              const std::string& session_id, int64_t now);

/// Deletes refresh tokens that expired more than a day before `now`; the number deleted.
sdk::Result<uint64_t> purge_expired_refresh_tokens(sdk::Database& db, int64_t now);

}  // namespace admit::auth
