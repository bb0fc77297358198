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

namespace admit::auth {

struct IssuedRefresh {
    std::string session_id;
    std::string refresh_token;
    std::string client_id;  ///< the client the session belongs to
};

/// Starts a session of `client_id` for `user` (login) and publishes auth.login_succeeded, in one
/// transaction.
sdk::Result<IssuedRefresh> start_session(sdk::Database& db, const User& user,
                                         std::string_view remote_addr, int64_t now,
                                         int64_t refresh_ttl_seconds, const std::string& client_id);

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
/// (committed).
sdk::Result<RefreshResult> rotate_refresh_token(sdk::Database& db, const std::string& refresh_token,
                                                int64_t now, int64_t refresh_ttl_seconds);

/// Revokes session `session_id` of `user_id` and publishes auth.logged_out; false when it was
/// not an open session of that user.
sdk::Result<bool> end_session(sdk::Database& db, const std::string& user_id,
                              const std::string& session_id, int64_t now);

/// Deletes refresh tokens that expired more than a day before `now`; the number deleted.
sdk::Result<uint64_t> purge_expired_refresh_tokens(sdk::Database& db, int64_t now);

}  // namespace admit::auth
