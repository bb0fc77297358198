#include "auth_plugin.hpp"

#include <admit/sdk/ids.hpp>

#include "auth_contracts.hpp"
#include "deployment_secret.hpp"
#include "encoding.hpp"
#include "sessions.hpp"

#include <sodium.h>

#include <cstdlib>

namespace admit::auth {
namespace {

using sdk::Error;
using sdk::Status;

/// A boolean key of the section; absent or not a boolean reads as false.
bool config_flag(const sdk::Host& host, std::string_view key) {
    const boost::json::object section = host.config();  // a copy: config() returns by value
    const auto* value = section.if_contains(key);
    return value != nullptr && value->is_bool() && value->as_bool();
}

AuthSettings read_settings(const sdk::Host& host) {
    AuthSettings s;
    s.token.issuer = host.config_string("issuer", s.token.issuer);
    s.token.audience = host.config_string("audience", s.token.audience);
    s.token.leeway_seconds = host.config_int("leeway_seconds", s.token.leeway_seconds);
    s.access_ttl_seconds = host.config_int("access_token_ttl_seconds", s.access_ttl_seconds);
    s.refresh_ttl_seconds = host.config_int("refresh_token_ttl_seconds", s.refresh_ttl_seconds);
    s.key_rotation_seconds = host.config_int("key_rotation_seconds", s.key_rotation_seconds);
    s.signing_key_env = host.config_string("signing_key_env", s.signing_key_env);
    s.development_keys = config_flag(host, "development_keys");
    s.hasher.opslimit = static_cast<unsigned long long>(host.config_int("argon2_iterations", 2));
    s.hasher.memlimit_bytes =
        static_cast<std::size_t>(host.config_int("argon2_memory_kib", 19 * 1024)) * 1024;
    s.hasher.concurrency =
        static_cast<int>(host.config_int("hash_concurrency", s.hasher.concurrency));
    s.hasher.max_waiting = static_cast<int>(host.config_int("hash_queue", s.hasher.max_waiting));
    s.hasher.per_client =
        static_cast<int>(host.config_int("hash_queue_per_client", s.hasher.per_client));
    s.throttle.free_failures = host.config_int("login_free_failures", s.throttle.free_failures);
    s.throttle.base = std::chrono::seconds(host.config_int("login_backoff_seconds", 1));
    s.throttle.max = std::chrono::seconds(host.config_int("login_backoff_max_seconds", 900));
    s.throttle.forget_after = s.throttle.max + std::chrono::hours(24);
    s.login_hash_key_env = host.config_string("login_hash_key_env", s.login_hash_key_env);
    s.maintenance_interval_seconds =
        host.config_int("maintenance_interval_seconds", s.maintenance_interval_seconds);
    s.token_cache_entries = host.config_int("token_cache_entries", s.token_cache_entries);
    s.revocation_cache_ms = host.config_int("revocation_cache_ms", s.revocation_cache_ms);
    s.revocation_poll_ms = host.config_int("revocation_poll_ms", s.revocation_poll_ms);
    s.session_lifetime_seconds =
        host.config_int("session_lifetime_seconds", s.session_lifetime_seconds);
    s.max_sessions_per_user = host.config_int("max_sessions_per_user", s.max_sessions_per_user);
    s.cookies.enabled = config_flag(host, "session_cookies");
    s.cookies.access_cookie = host.config_string("access_cookie", s.cookies.access_cookie);
    s.cookies.refresh_cookie = host.config_string("refresh_cookie", s.cookies.refresh_cookie);
    const boost::json::object section = host.config();  // kept: if_contains points into it
    if (const auto* clients = section.if_contains("clients"); clients && clients->is_array()) {
        s.clients.clear();
        for (const auto& client : clients->as_array())
            s.clients.push_back(client.is_string() ? std::string(client.as_string()) : "");
    }
    return s;
}

Status check_settings(const AuthSettings& s) {
    if (s.token.issuer.empty() || s.token.audience.empty())
        return Error::invalid("auth: issuer and audience must be set");
    if (s.access_ttl_seconds < 30 || s.access_ttl_seconds > 3600) {
        return Error::invalid("auth: access_token_ttl_seconds must be between 30 and 3600");
    }
    if (s.refresh_ttl_seconds < s.access_ttl_seconds) {
        return Error::invalid(
            "auth: refresh_token_ttl_seconds must not be shorter than the access-token lifetime");
    }
    if (s.key_rotation_seconds < s.access_ttl_seconds) {
        return Error::invalid(
            "auth: key_rotation_seconds must not be shorter than the access-token lifetime");
    }
    if (s.token.leeway_seconds < 0 || s.token.leeway_seconds > 300) {
        return Error::invalid("auth: leeway_seconds must be between 0 and 300");
    }
    if (s.clients.empty()) return Error::invalid("auth: clients must name at least one client");
    if (s.session_lifetime_seconds < s.refresh_ttl_seconds)
        return Error::invalid(
            "auth: session_lifetime_seconds must not be shorter than refresh_token_ttl_seconds");
    if (s.max_sessions_per_user < 1 || s.max_sessions_per_user > 1000)
        return Error::invalid("auth: max_sessions_per_user must be between 1 and 1000");
    for (const auto& client : s.clients) {
        if (client.empty() || client.size() > 64 ||
            client.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") !=
                std::string::npos)
            return Error::invalid("auth: clients must be strings of [a-z0-9-_.], 1 to 64 long");
    }
    if (s.hasher.concurrency < 1 || s.hasher.max_waiting < 0 || s.hasher.per_client < 1)
        return Error::invalid(
            "auth: hash_concurrency and hash_queue_per_client must be >= 1, hash_queue >= 0");
    if (s.throttle.free_failures < 1 || s.throttle.free_failures > 1000)
        return Error::invalid("auth: login_free_failures must be between 1 and 1000");
    if (s.throttle.base < std::chrono::seconds(1) || s.throttle.max < s.throttle.base ||
        s.throttle.max > std::chrono::hours(24))
        return Error::invalid(
            "auth: login_backoff_seconds must be >= 1 and login_backoff_max_seconds between it "
            "and 86400");
    if (s.maintenance_interval_seconds < 1)
        return Error::invalid("auth: maintenance_interval_seconds must be >= 1");
    if (s.token_cache_entries < 0 || s.token_cache_entries > 10'000'000) {
        return Error::invalid("auth: token_cache_entries must be between 0 and 10000000");
    }
    if (s.revocation_cache_ms < 0 || s.revocation_cache_ms > 3'600'000) {
        return Error::invalid("auth: revocation_cache_ms must be between 0 and 3600000");
    }
    if (s.revocation_poll_ms < 0 || s.revocation_poll_ms > 10'000) {
        return Error::invalid("auth: revocation_poll_ms must be between 0 and 10000");
    }
    return {};
}

}  // namespace

sdk::Response failure_response(const Error& error) {
    if (error.is_rejected()) {
        auto response = sdk::Response::error(429, "RATE_LIMITED",
                                             "too many password checks from this client at once");
        response.header("Retry-After", "1");
        return response;
    }
    if (error.is_unavailable()) {
        auto response =
            sdk::Response::error(503, "OVERLOADED", "authentication is busy, retry shortly");
        response.header("Retry-After", "1");
        response.log_detail = error.message;
        return response;
    }
    return sdk::Response::from_error(error);
}

Status AuthPlugin::init(sdk::Host& host) {
    host_ = &host;
    if (sodium_init() < 0) return Error::internal("auth: libsodium failed to initialize");
    settings_ = read_settings(host);
    cookies_ = SessionCookies(settings_.cookies);
    if (auto s = check_settings(settings_); !s) return s;

    std::optional<SigningKey> env_key;
    if (const char* seed = std::getenv(settings_.signing_key_env.c_str());
        seed != nullptr && *seed != '\0') {
        auto key = SigningKey::from_seed_text(seed, now_seconds());
        if (!key)
            return Error::invalid("auth: " + settings_.signing_key_env + ": " +
                                  key.error().message);
        env_key = std::move(*key);
    } else if (!settings_.development_keys) {
        return Error::invalid(
            "auth: no signing key: set the environment variable " + settings_.signing_key_env +
            " to a base64 32-byte seed (head -c32 /dev/urandom | base64), or, for development "
            "only, set [plugin.auth] development_keys = true to keep generated keys (private "
            "seed included) in PostgreSQL");
    }
    const int64_t verify_window = settings_.access_ttl_seconds + settings_.token.leeway_seconds;
    keys_ = std::make_unique<KeyStore>(host.db(), ring_, std::move(env_key), verify_window);
    hasher_ = std::make_unique<PasswordHasher>(settings_.hasher);
    dummy_hash_ = std::make_unique<DummyHash>(*hasher_);
    revocation_ =
        std::make_unique<Revocation>(host.db(), host.redis(), verify_window,
                                     std::chrono::milliseconds(settings_.revocation_cache_ms),
                                     static_cast<std::size_t>(settings_.token_cache_entries));
    if (settings_.revocation_poll_ms > 0) {
        follower_ = std::make_unique<RevocationFollower>(
            *revocation_, std::chrono::milliseconds(settings_.revocation_poll_ms),
            [&host](const std::string& message) { host.warn(message); });
    } else {
        revocation_->trust_without_log();
    }
    throttle_ = std::make_unique<LoginThrottle>(host.redis(), settings_.throttle);
    verified_ = std::make_unique<VerifiedTokenCache>(
        static_cast<std::size_t>(settings_.token_cache_entries));

    ADMIT_TRY_ASSIGN(logins_succeeded_,
                     host.counter("logins_succeeded_total", "Successful logins"));
    ADMIT_TRY_ASSIGN(
        logins_failed_,
        host.counter("logins_failed_total", "Refused logins (wrong credentials or suspended)"));
    ADMIT_TRY_ASSIGN(tokens_refused_, host.counter("tokens_refused_total",
                                                   "Bearer tokens refused by the authenticator"));
    ADMIT_TRY_ASSIGN(token_cache_hits_,
                     host.counter("token_cache_hits_total",
                                  "Bearer tokens answered from the verified-token cache"));
    ADMIT_TRY_ASSIGN(logins_throttled_,
                     host.counter("logins_throttled_total",
                                  "Logins refused while the account waits after failed ones"));
    ADMIT_TRY_ASSIGN(revocation_fallbacks_, host.gauge("revocation_fallbacks",
                                                       "Revocation checks answered by PostgreSQL"));

    if (auto s = host.register_migrations(); !s) return s;
    if (auto s = revocation_->register_scripts(); !s) return s;
    if (auto s = throttle_->register_scripts(); !s) return s;
    if (auto s = host.authenticator([this](std::string_view token) { return authenticate(token); });
        !s)
        return s;
    if (auto s = register_routes(); !s) return s;
    if (auto s = register_services(); !s) return s;
    return host.periodic_job("maintenance",
                             std::chrono::seconds(settings_.maintenance_interval_seconds),
                             [this] { return maintenance(); });
}

Status AuthPlugin::start() {
    const int64_t now = now_seconds();
    if (auto s = keys_->reload(now); !s)
        return Error{s.status(), "auth: loading signing keys: " + s.message()};
    if (auto s = revocation_->rebuild(now); !s) {
        host_->warn("auth: revocation set not rebuilt (", s.message(),
                    "); checks use PostgreSQL until it is");
    }
    auto login_hash_key =
        deployment_secret(host_->db(), "login_hash", settings_.login_hash_key_env, now);
    if (!login_hash_key)
        return Error{login_hash_key.status(),
                     "auth: the key of the email hash: " + login_hash_key.error().message};
    email_digest_ = std::make_unique<EmailDigest>(std::move(*login_hash_key));
    if (follower_) follower_->start();
    host_->info(
        "auth ready: signing key ", ring_.signer()->kid,
        keys_->signer_from_environment() ? " (from the environment)" : " (from the database)");
    return {};
}

void AuthPlugin::stop() {
    if (follower_) follower_->stop();
}

Status AuthPlugin::health(std::string& detail) {
    const auto signer = ring_.signer();
    detail = signer ? "signing with " + signer->kid : "no signing key";
    return signer ? Status{} : Status(Error::state(detail));
}

sdk::Result<sdk::Identity> AuthPlugin::authenticate(std::string_view bearer_token) {
    const int64_t now = now_seconds();
    auto claims = verified_claims(bearer_token, now);
    if (!claims) {
        tokens_refused_.add();
        return Error::rejected(claims.error().message);
    }
    if (auto allowed = revocation_->check(claims->subject, claims->session, claims->version, now);
        !allowed) {
        tokens_refused_.add();
        return Error::rejected(allowed.message());
    }
    // The host knows roles by name only; the membership tier is an opaque claim for the plugins
    // that price by it.
    return sdk::Identity{std::move(claims->subject),
                         {std::move(claims->role)},
                         {{"tier", std::move(claims->tier)}},
                         std::move(claims->session)};
}

sdk::Result<AccessClaims> AuthPlugin::verified_claims(std::string_view bearer_token, int64_t now) {
    const uint64_t generation =
        ring_.generation();  // read before verifying: a newer ring never trusts this
    if (auto cached = verified_->find(bearer_token, generation)) {
        token_cache_hits_.add();
        if (auto times = token_times_valid(*cached, settings_.token, now); !times)
            return times.error();
        return std::move(*cached);
    }
    auto claims = verify_access_token(bearer_token, ring_, settings_.token, now);
    if (!claims && claims.error().is_not_found() && keys_->reload_if_stale(now, 5)) {
        claims = verify_access_token(bearer_token, ring_, settings_.token,
                                     now);  // a key another host made
    }
    if (claims) verified_->insert(bearer_token, *claims, generation);
    return claims;
}

Status AuthPlugin::maintenance() {
    const int64_t now = now_seconds();
    if (keys_->signer_older_than(settings_.key_rotation_seconds, now)) {
        auto kid = keys_->rotate(now);
        if (!kid) return std::move(kid).error();
        host_->info("auth: rotated the signing key, now ", *kid);
    } else if (auto s = keys_->reload(now); !s) {
        return s;
    }
    if (auto s = revocation_->rebuild(now); !s) return s;
    revocation_fallbacks_.set(static_cast<double>(revocation_->fallbacks()));
    auto purged = purge_expired_refresh_tokens(host_->db(), now);
    if (!purged) return std::move(purged).error();
    return {};
}

sdk::Result<std::string> AuthPlugin::issue_access_token(const User& user,
                                                        const std::string& session_id,
                                                        const std::string& client_id) {
    const uint64_t generation =
        ring_.generation();  // read before the signer, as in verified_claims
    const auto signer = ring_.signer();
    if (!signer) return Error::state("no signing key");
    const int64_t now = now_seconds();
    AccessClaims claims;
    claims.subject = user.id;
    claims.role = user.token_role();
    claims.tier = user.tier;
    claims.session = session_id;
    claims.version = user.token_version;
    claims.issued_at = now;
    claims.not_before = now;
    claims.expires_at = now + settings_.access_ttl_seconds;
    claims.token_id = sdk::new_id("at");
    claims.client_id = client_id;
    auto token = sign_access_token(*signer, claims, settings_.token);
    // A token this host just signed needs no signature check on its first use (buyers log in
    // before a sale opens, so the sale's first requests skip the Ed25519 verification).
    if (token) verified_->insert(*token, claims, generation);
    return token;
}

Status AuthPlugin::register_routes() {
    using sdk::RouteOptions;
    sdk::Host& h = *host_;
    if (auto s = h.route("POST", "/api/v1/auth/signup", "public", &AuthPlugin::signup, this,
                         RouteOptions{.rate_category = "auth",
                                      .summary = "Create an account (customer or seller)",
                                      .operation_id = "signUp",
                                      .contract = contracts::signup()});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/auth/login", "public", &AuthPlugin::login, this,
                         RouteOptions{.rate_category = "auth",
                                      .summary = "Exchange email and password for tokens",
                                      .operation_id = "logIn",
                                      .contract = contracts::login()});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/auth/refresh", "public", &AuthPlugin::refresh, this,
                         RouteOptions{.rate_category = "auth",
                                      .summary = "Rotate a refresh token",
                                      .operation_id = "refreshToken",
                                      .contract = contracts::refresh()});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/auth/logout", "authenticated", &AuthPlugin::logout, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "Revoke the caller's session",
                                      .operation_id = "logOut",
                                      .contract = std::string(contracts::kLogout)});
        !s)
        return s;
    if (auto s = h.route("GET", "/api/v1/auth/me", "authenticated", &AuthPlugin::me, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "The caller, with role and tier",
                                      .operation_id = "getMe",
                                      .contract = contracts::me()});
        !s)
        return s;
    if (auto s = h.route("GET", "/.well-known/jwks.json", "public", &AuthPlugin::jwks, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "Public keys that verify access tokens",
                                      .operation_id = "getJwks",
                                      .contract = std::string(contracts::kJwks)});
        !s)
        return s;
    if (auto s =
            h.route("PATCH", "/api/v1/admin/users/{id}", "admin", &AuthPlugin::change_user, this,
                    RouteOptions{.rate_category = "general",
                                 .summary = "Change a user's status, role or tier",
                                 .operation_id = "changeUser",
                                 .contract = contracts::change_user()});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/auth/totp/enrol", "admin", &AuthPlugin::enrol_totp, this,
                         RouteOptions{.rate_category = "auth",
                                      .summary = "Start enabling a TOTP second factor",
                                      .operation_id = "enrolTotp",
                                      .contract = std::string(contracts::kEnrolTotp)});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/auth/totp/confirm", "admin",
                         &AuthPlugin::confirm_totp_enrolment, this,
                         RouteOptions{.rate_category = "auth",
                                      .summary = "Enable the enrolled TOTP factor with a code",
                                      .operation_id = "confirmTotp",
                                      .contract = std::string(contracts::kConfirmTotp)});
        !s)
        return s;
    if (auto s = h.route("GET", "/api/v1/admin/sellers", "admin", &AuthPlugin::list_sellers, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "Sellers by review status (default PENDING)",
                                      .operation_id = "listSellers",
                                      .contract = contracts::list_sellers()});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/admin/sellers/{id}/approve", "admin",
                         &AuthPlugin::approve_seller, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "Approve a seller: its next token sells",
                                      .operation_id = "approveSeller",
                                      .contract = contracts::review_seller(
                                          "the seller, APPROVED; its older tokens stop at once")});
        !s)
        return s;
    if (auto s = h.route("POST", "/api/v1/admin/sellers/{id}/reject", "admin",
                         &AuthPlugin::reject_seller, this,
                         RouteOptions{.rate_category = "general",
                                      .summary = "Reject a seller: it acts as a customer",
                                      .operation_id = "rejectSeller",
                                      .contract = contracts::review_seller(
                                          "the seller, REJECTED; its older tokens stop at once")});
        !s)
        return s;
    return h.route("POST", "/api/v1/admin/auth/signing-keys/rotate", "admin",
                   &AuthPlugin::rotate_key, this,
                   RouteOptions{.rate_category = "general",
                                .summary = "Start signing with a new key",
                                .operation_id = "rotateSigningKey",
                                .contract = std::string(contracts::kRotateKey)});
}

Status AuthPlugin::register_services() {
    if (auto s = host_->provide("auth.create_admin",
                                [this](const boost::json::value& in, const sdk::Principal& caller) {
                                    return create_admin(in, caller);
                                });
        !s)
        return s;
    return host_->provide("auth.user",
                          [this](const boost::json::value& in, const sdk::Principal& caller) {
                              return user_service(in, caller);
                          });
}

}  // namespace admit::auth

ADMIT_PLUGIN(auth, admit::auth::AuthPlugin, "1.0.0", ADMIT_DEPENDS(),
             ADMIT_CAPABILITIES("authenticator"));
