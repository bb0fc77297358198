// The account routes of AuthPlugin: signup, login, refresh, logout, me, jwks.
#include "auth_plugin.hpp"

#include <admit/sdk/ids.hpp>
#include "encoding.hpp"
#include "sessions.hpp"
#include "validation.hpp"

namespace admit::auth {
namespace {

using sdk::Error;
using sdk::Request;
using sdk::Response;

Response invalid_credentials() {
    return Response::error(401, "INVALID_CREDENTIALS", "email or password is wrong");
}
Response suspended_account() {
    return Response::error(403, "FORBIDDEN", "this account is suspended");
}

}  // namespace

sdk::Result<User> AuthPlugin::new_user(std::string email, std::string name, std::string role,
                                       std::string_view password, std::string_view client) {
    auto hash = hasher_->hash(password, client);
    if (!hash) return std::move(hash).error();
    User user;
    user.id = sdk::new_id("usr");
    user.email = std::move(email);
    user.name = std::move(name);
    user.role = std::move(role);
    user.password_hash = std::move(*hash);
    user.created_at = now_seconds();
    return user;
}

Response AuthPlugin::signup(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto email = valid_email(*body);
    if (!email) return Response::from_error(email.error());
    auto password = valid_password(*body);
    if (!password) return Response::from_error(password.error());
    auto name = valid_name(*body);
    if (!name) return Response::from_error(name.error());
    auto role = sdk::fields::optional_string(*body, "role");
    if (!role) return Response::from_error(role.error());
    const std::string chosen_role = role->value_or("customer");
    if (chosen_role != "customer" && chosen_role != "seller") {
        return Response::invalid_request("field 'role' must be customer or seller");
    }
    auto user = new_user(std::move(*email), std::move(*name), chosen_role, *password,
                         request.remote_addr());
    if (!user) return failure_response(user.error());
    // A self-registered seller sells only once an admin approved it (/api/v1/admin/sellers).
    if (chosen_role == "seller") user->seller_status = "PENDING";
    auto inserted = insert_user(host_->db(), *user, user->id, user->created_at);
    if (!inserted) {
        if (!inserted.ok() && inserted.error().is_conflict()) {
            return Response::error(409, "EMAIL_TAKEN", "an account with this email already exists");
        }
        return failure_response(inserted.error());
    }
    return Response::json(201, user->to_json());
}

sdk::Status AuthPlugin::publish_login_failure(const std::string& account,
                                              const std::string& user_id, std::string_view reason) {
    logins_failed_.add();
    if (auto counted = throttle_->failed(account, host_->now_us() / 1000); !counted) {
        host_->warn("auth: login failure not counted (", counted.error().message,
                    "); the per-account budget fails open while Redis is unavailable");
    }
    boost::json::object event{{"emailHash", account}, {"reason", reason}};
    if (!user_id.empty()) event["userId"] = user_id;
    const std::string key = user_id.empty() ? account : user_id;
    return host_->db().transaction(
        [&](sdk::Tx& tx) { return tx.publish("auth.login_failed", key, event, "system"); });
}

std::optional<Response> AuthPlugin::account_throttled(const std::string& account) {
    auto wait = throttle_->wait_ms(account, host_->now_us() / 1000);
    if (!wait) {
        host_->warn("auth: login budget not checked (", wait.error().message,
                    "); the per-account budget fails open while Redis is unavailable");
        return std::nullopt;
    }
    if (*wait <= 0) return std::nullopt;
    logins_throttled_.add();
    const int64_t seconds = (*wait + 999) / 1000;
    auto response = Response::error(
        429, "RATE_LIMITED",
        "too many failed logins for this account; retry in " + std::to_string(seconds) + " s");
    response.header("Retry-After", std::to_string(seconds));
    return response;
}

sdk::Result<std::string> AuthPlugin::login_client(const boost::json::object& body) const {
    auto named = sdk::fields::optional_string(body, "clientId");
    if (!named) return std::move(named).error();
    if (!*named) return settings_.clients.front();
    for (const auto& client : settings_.clients) {
        if (client == **named) return client;
    }
    return Error::invalid("field 'clientId' names no client of this venue");
}

Response AuthPlugin::login(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto email_field = sdk::fields::required_string(*body, "email");
    if (!email_field) return Response::from_error(email_field.error());
    auto password = sdk::fields::required_string(*body, "password");
    if (!password) return Response::from_error(password.error());
    if (password->size() > kMaxPasswordBytes)
        return Response::invalid_request("field 'password' must be at most 128 bytes");
    auto client_id = login_client(*body);
    if (!client_id) return Response::from_error(client_id.error());
    auto as_cookies = cookies_.wants_cookies(*body);
    if (!as_cookies) return Response::from_error(as_cookies.error());
    // A malformed email cannot belong to an account; it takes the unknown-email path below.
    auto email = valid_email(*body);
    const std::string lookup = email ? *email : *email_field;
    // The account's failure budget is checked before the password, so a guess during back-off
    // (a right one too) is refused without telling whether it was right.
    const std::string account = email_digest_->of(lookup);
    if (auto throttled = account_throttled(account)) return std::move(*throttled);

    std::optional<User> user;
    if (email) {
        auto found = find_user_by_email(host_->db(), lookup);
        if (!found) return failure_response(found.error());
        user = std::move(*found);
    }
    // Unknown email: verify against a dummy hash anyway, so both answers take the same time.
    std::string dummy;
    if (!user) {
        auto made = dummy_hash_->get();
        if (!made) return failure_response(made.error());
        dummy = std::move(*made);
    }
    auto matches =
        hasher_->verify(user ? user->password_hash : dummy, *password, request.remote_addr());
    if (!matches) return failure_response(matches.error());
    if (!user || !*matches) {
        if (auto s = publish_login_failure(account, user ? user->id : std::string{},
                                           user ? "WRONG_PASSWORD" : "UNKNOWN_EMAIL");
            !s) {
            return failure_response(s.error());
        }
        return invalid_credentials();
    }
    if (user->suspended()) {
        if (auto s = publish_login_failure(account, user->id, "SUSPENDED"); !s)
            return failure_response(s.error());
        return suspended_account();
    }
    if (auto refused = second_factor_refusal(*user, *body, account)) return std::move(*refused);
    if (auto forgotten = throttle_->succeeded(account); !forgotten)
        host_->warn("auth: login failures not forgotten (", forgotten.message(), ")");
    if (hasher_->needs_rehash(user->password_hash)) {
        if (auto rehashed = hasher_->hash(*password, request.remote_addr()); rehashed) {
            (void)host_->db().exec("UPDATE auth.users SET password_hash = $2 WHERE id = $1",
                                   user->id, *rehashed);
        }
    }
    const uint64_t epoch = revocation_->epoch();
    auto session = start_session(host_->db(), *user, request.remote_addr(), now_seconds(),
                                 session_bounds(), *client_id);
    if (!session) return failure_response(session.error());
    for (const auto& displaced : session->displaced_sessions)
        revocation_->session_revoked(displaced);
    logins_succeeded_.add();
    return token_response(*user, *session, epoch, *as_cookies);
}

Response AuthPlugin::token_response(const User& user, const IssuedRefresh& session,
                                    uint64_t epoch_before, bool as_cookies) {
    const std::string& session_id = session.session_id;
    const std::string& refresh_token = session.refresh_token;
    auto access = issue_access_token(user, session_id, session.client_id);
    if (!access) return failure_response(access.error());
    // PostgreSQL just found (or made) this session valid: its first requests need no check.
    revocation_->remember_issued(user.id, session_id, user.token_version, epoch_before);
    if (as_cookies) {  // no token in the body: scripts never see them
        auto response = Response::json(200, {{"tokenType", "Cookie"},
                                             {"expiresIn", settings_.access_ttl_seconds},
                                             {"user", user.to_json()}});
        cookies_.deliver(response, *access, settings_.access_ttl_seconds, refresh_token,
                         settings_.refresh_ttl_seconds);
        response.header("Cache-Control", "no-store");
        return response;
    }
    auto response = Response::json(200, {{"accessToken", *access},
                                         {"refreshToken", refresh_token},
                                         {"tokenType", "Bearer"},
                                         {"expiresIn", settings_.access_ttl_seconds},
                                         {"user", user.to_json()}});
    response.header("Cache-Control", "no-store");
    return response;
}

Response AuthPlugin::refresh(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto as_cookies = cookies_.wants_cookies(*body);
    if (!as_cookies) return Response::from_error(as_cookies.error());
    // The body's refresh token, or else (cookie sessions) the refresh cookie.
    sdk::Result<std::string> token = std::string{};
    if (body->contains("refreshToken") || !*as_cookies) {
        token = sdk::fields::required_string(*body, "refreshToken");
    } else if (auto cookie = cookies_.refresh_token(request)) {
        token = std::move(*cookie);
    } else {
        auto refused = Response::error(401, "UNAUTHENTICATED", "no refresh token (body or cookie)");
        cookies_.clear(refused);
        return refused;
    }
    if (!token) return Response::from_error(token.error());
    if (token->size() > 256)
        return Response::error(401, "UNAUTHENTICATED", "the refresh token is invalid or expired");
    const uint64_t epoch = revocation_->epoch();
    auto rotated = rotate_refresh_token(host_->db(), *token, now_seconds(), session_bounds());
    if (!rotated) return failure_response(rotated.error());
    switch (rotated->outcome) {
        case RefreshOutcome::rotated:
            return token_response(rotated->user, rotated->issued, epoch, *as_cookies);
        case RefreshOutcome::reused: {
            revocation_->session_revoked(rotated->issued.session_id);
            auto refused = Response::error(
                401, "TOKEN_REUSED", "this refresh token was already used; the session is revoked");
            cookies_.clear(refused);
            return refused;
        }
        case RefreshOutcome::suspended:
            return suspended_account();
        case RefreshOutcome::invalid:
            break;
    }
    return Response::error(401, "UNAUTHENTICATED", "the refresh token is invalid or expired");
}

Response AuthPlugin::logout(const Request& request) {
    const auto caller = request.principal();
    auto ended = end_session(host_->db(), std::string(caller.subject()),
                             std::string(caller.session()), now_seconds());
    if (!ended) return failure_response(ended.error());
    revocation_->session_revoked(std::string(caller.session()));
    auto response = Response::no_content();
    cookies_.clear(response);
    return response;
}

Response AuthPlugin::me(const Request& request) {
    auto user = find_user_by_id(host_->db(), std::string(request.principal().subject()));
    if (!user) return failure_response(user.error());
    if (!*user) return Response::error(401, "UNAUTHENTICATED", "the account no longer exists");
    return Response::json(200, (*user)->to_json());
}

Response AuthPlugin::jwks(const Request&) {
    auto keys = ring_.jwks();
    // Ticket signing keys, when a ticket plugin is loaded: `ticket.public_keys` answers
    // {"keys": [JWK...]}. A missing ticket plugin (or any failure of the call) means no ticket
    // keys; the access-token keys are served regardless.
    if (auto tickets = host_->call("ticket.public_keys", boost::json::object{});
        tickets && tickets->is_object()) {
        if (const auto* extra = tickets->as_object().if_contains("keys");
            extra != nullptr && extra->is_array() && keys["keys"].is_array()) {
            for (const auto& key : extra->as_array()) {
                if (key.is_object()) keys["keys"].as_array().push_back(key);
            }
        }
    }
    auto response = Response::json(200, keys);
    response.header("Cache-Control", "public, max-age=300");
    return response;
}

}  // namespace admit::auth
