// The auth plugin: accounts, roles, tokens, and the authenticator the host runs on every request
// that carries a bearer token. Routes and rules: plugins/auth/README.md; contract: API.md "auth".
//
// Thread-safety: after init/start every member is either immutable or thread-safe itself
// (KeyRing, KeyStore, PasswordHasher, Revocation), so handlers run concurrently.
#pragma once

#include "access_token.hpp"
#include "dummy_hash.hpp"
#include "email_digest.hpp"
#include "key_ring.hpp"
#include "key_store.hpp"
#include "login_throttle.hpp"
#include "password_hasher.hpp"
#include "revocation.hpp"
#include "revocation_follower.hpp"
#include "session_cookies.hpp"
#include "sessions.hpp"
#include "user_store.hpp"
#include "verified_token_cache.hpp"

#include <admit/sdk.hpp>

#include <memory>
#include <string>
#include <vector>

namespace admit::auth {

/// Settings from the [plugin.auth] section (README.md lists them with their defaults).
struct AuthSettings {
    TokenSettings token;
    int64_t access_ttl_seconds = 600;
    int64_t refresh_ttl_seconds = 14 * 86400;
    int64_t key_rotation_seconds = 30 * 86400;
    std::string signing_key_env = "ADMIT_AUTH_SIGNING_KEY";
    /// Without the environment key, sign with keys generated and kept (private seed included) in
    /// PostgreSQL. Off by default: a venue without the environment key then refuses to start.
    bool development_keys = false;
    HasherLimits hasher;
    ThrottleSettings throttle;  ///< the per-account login failure budget
    /// Environment variable of the key of the keyed email hash (else a generated, stored one).
    std::string login_hash_key_env = "ADMIT_AUTH_LOGIN_HASH_KEY";
    int64_t maintenance_interval_seconds = 60;
    int64_t token_cache_entries = 50000;  ///< verified tokens remembered (0: verify every time)
    int64_t revocation_cache_ms =
        60000;  ///< how long an "allowed" revocation verdict is reused (0: never)
    int64_t revocation_poll_ms = 100;  ///< how often the revocation log is read (0: not at all)
    /// The clients a login may name ("clientId"); the first is the default. Each access token
    /// carries its session's client as `client_id` (RFC 9068).
    std::vector<std::string> clients{"admit-web"};
    int64_t session_lifetime_seconds = 30 * 86400;  ///< a refresh family's absolute lifetime
    int64_t max_sessions_per_user = 10;             ///< a login past it revokes the oldest
    CookieSettings cookies;  ///< tokens in HttpOnly cookies for browsers (session_cookies.hpp)
};

class AuthPlugin final : public sdk::Plugin {
  public:
    sdk::Status init(sdk::Host& host) override;
    sdk::Status start() override;
    void stop() override;
    sdk::Status health(std::string& detail) override;

  private:
    sdk::Status register_routes();
    sdk::Status register_services();
    sdk::Result<sdk::Identity> authenticate(std::string_view bearer_token);
    /// The token's claims: from the verified-token cache (times re-checked) or a full verification.
    sdk::Result<AccessClaims> verified_claims(std::string_view bearer_token, int64_t now);
    sdk::Status maintenance();

    // account_routes.cpp
    sdk::Response signup(const sdk::Request& request);
    sdk::Response login(const sdk::Request& request);
    sdk::Response refresh(const sdk::Request& request);
    sdk::Response logout(const sdk::Request& request);
    sdk::Response me(const sdk::Request& request);
    sdk::Response jwks(const sdk::Request& request);
    /// Issues the access token; `epoch_before`: Revocation::epoch() read before the session was
    /// found (or made) valid in PostgreSQL, so a concurrent revocation wins over remembering it.
    sdk::Response token_response(const User& user, const IssuedRefresh& session,
                                 uint64_t epoch_before, bool as_cookies = false);
    /// The client a login body names ("clientId", one of settings_.clients; default the first),
    /// or 400 INVALID_REQUEST naming the field.
    sdk::Result<std::string> login_client(const boost::json::object& body) const;
    SessionBounds session_bounds() const {
        return {settings_.refresh_ttl_seconds, settings_.session_lifetime_seconds,
                settings_.max_sessions_per_user};
    }
    /// Publishes auth.login_failed naming the account by `account` (its EmailDigest) and counts
    /// the failure in the account's budget.
    sdk::Status publish_login_failure(const std::string& account, const std::string& user_id,
                                      std::string_view reason);
    /// 429 RATE_LIMITED + Retry-After when `account` must still wait after failed logins;
    /// nullopt when it may try (also when Redis cannot say: the budget fails open, with a warning).
    std::optional<sdk::Response> account_throttled(const std::string& account);

    // second_factor_routes.cpp
    /// POST /api/v1/auth/totp/enrol: a new secret for the caller, shown once.
    sdk::Response enrol_totp(const sdk::Request& request);
    /// POST /api/v1/auth/totp/confirm {code}: enables the pending factor.
    sdk::Response confirm_totp_enrolment(const sdk::Request& request);
    /// For a login whose password was right: the refusal when `user` has TOTP enabled and the
    /// body's `totpCode` is missing (401 TOTP_REQUIRED), wrong or replayed (401 TOTP_INVALID,
    /// counted in the account's failure budget); nullopt when the login may proceed.
    std::optional<sdk::Response> second_factor_refusal(const User& user,
                                                       const boost::json::object& body,
                                                       const std::string& account);

    // seller_review_routes.cpp
    /// GET /api/v1/admin/sellers?status=PENDING|APPROVED|REJECTED (default PENDING), oldest first.
    sdk::Response list_sellers(const sdk::Request& request);
    sdk::Response approve_seller(const sdk::Request& request);
    sdk::Response reject_seller(const sdk::Request& request);
    /// Sets the seller's review status to `decision`, bumps its token version and publishes
    /// auth.seller_approved / auth.seller_rejected; 404 for no seller, 409 INVALID_STATE when it
    /// is `decision` already.
    sdk::Response review_seller(const sdk::Request& request, const std::string& decision);

    // admin_routes.cpp
    sdk::Response change_user(const sdk::Request& request);
    sdk::Response rotate_key(const sdk::Request& request);
    sdk::Result<boost::json::value> create_admin(const boost::json::value& input,
                                                 const sdk::Principal& caller);
    sdk::Result<boost::json::value> user_service(const boost::json::value& input,
                                                 const sdk::Principal& caller);

    /// A new user from validated fields (hashes the password on the bounded pool).
    sdk::Result<User> new_user(std::string email, std::string name, std::string role,
                               std::string_view password, std::string_view client);
    sdk::Result<std::string> issue_access_token(const User& user, const std::string& session_id,
                                                const std::string& client_id);
    int64_t now_seconds() const { return host_->now_us() / 1'000'000; }

    sdk::Host* host_ = nullptr;
    AuthSettings settings_;
    SessionCookies cookies_{CookieSettings{}};
    KeyRing ring_;
    std::unique_ptr<KeyStore> keys_;
    std::unique_ptr<PasswordHasher> hasher_;
    std::unique_ptr<Revocation> revocation_;
    std::unique_ptr<RevocationFollower> follower_;
    std::unique_ptr<VerifiedTokenCache> verified_;
    std::unique_ptr<LoginThrottle> throttle_;
    std::unique_ptr<EmailDigest> email_digest_;  ///< made in start() (its key may be stored)
    std::unique_ptr<DummyHash> dummy_hash_;      ///< verified against when the email is unknown
    sdk::Metric logins_succeeded_;
    sdk::Metric logins_failed_;
    sdk::Metric tokens_refused_;
    sdk::Metric token_cache_hits_;
    sdk::Metric revocation_fallbacks_;
    sdk::Metric logins_throttled_;
};

/// 503 OVERLOADED + Retry-After for a saturated hashing pool, 429 RATE_LIMITED + Retry-After for a
/// client over its share of it (ADMIT_E_REJECTED); from_error for anything else.
sdk::Response failure_response(const sdk::Error& error);

}  // namespace admit::auth
