// Admin routes and service methods of AuthPlugin: change a user, rotate the signing key,
// auth.create_admin, auth.user.
#include "auth_plugin.hpp"
#include "encoding.hpp"
#include "validation.hpp"

namespace admit::auth {
namespace {

using sdk::Error;
using sdk::Request;
using sdk::Response;

boost::json::object account_facts(const User& user) {
    return {{"role", user.role}, {"tier", user.tier}, {"status", user.status}};
}

struct UserChange {
    std::optional<std::string> status;
    std::optional<std::string> role;
    std::optional<std::string> tier;
};

sdk::Result<UserChange> parse_user_change(const Request& request) {
    auto body = request.json_object();
    if (!body) return std::move(body).error();
    UserChange change;
    auto status = optional_choice(*body, "status", &is_known_status, "active, suspended");
    if (!status) return std::move(status).error();
    auto role = optional_choice(*body, "role", &is_known_role, "customer, seller, admin, staff");
    if (!role) return std::move(role).error();
    auto tier = optional_choice(*body, "tier", &is_known_tier, "none, SILVER, GOLD, DIAMOND");
    if (!tier) return std::move(tier).error();
    change = {std::move(*status), std::move(*role), std::move(*tier)};
    if (!change.status && !change.role && !change.tier) {
        return Error::invalid("field 'status', 'role' or 'tier' is required");
    }
    return change;
}

}  // namespace

Response AuthPlugin::change_user(const Request& request) {
    auto change = parse_user_change(request);
    if (!change) return Response::from_error(change.error());
    const std::string target(request.param("id"));
    const std::string actor(request.principal().subject());
    if (target == actor && (change->status.value_or("active") != "active" ||
                            change->role.value_or("admin") != "admin")) {
        return Response::error(422, "CANNOT_CHANGE_SELF",
                               "an admin cannot suspend or demote their own account");
    }
    const int64_t now = now_seconds();
    std::optional<User> after;
    auto status = host_->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto locked = lock_user(tx, target);
        if (!locked) return std::move(locked).error();
        if (!*locked) return Error::not_found("no user " + target);
        const User before = **locked;
        User updated = before;
        updated.status = change->status.value_or(before.status);
        updated.role = change->role.value_or(before.role);
        updated.tier = change->tier.value_or(before.tier);
        // An admin who makes an account a seller has reviewed it; other roles have no review.
        if (updated.role != before.role)
            updated.seller_status = updated.role == "seller" ? "APPROVED" : "";
        if (updated.status == before.status && updated.role == before.role &&
            updated.tier == before.tier) {
            after = std::move(updated);
            return {};
        }
        updated.token_version = before.token_version + 1;
        auto written = tx.exec(
            "UPDATE auth.users SET status = $2, role = $3, tier = $4, token_version = $5, "
            "updated_at = to_timestamp($6), seller_status = nullif($7, '') "
            "WHERE id = $1",
            target, updated.status, updated.role, updated.tier, updated.token_version, now,
            updated.seller_status);
        if (!written) return std::move(written).error();
        after = updated;
        return tx.publish("auth.user_changed", target,
                          {{"userId", target},
                           {"before", account_facts(before)},
                           {"after", account_facts(updated)}},
                          actor);
    });
    if (!status) return failure_response(status.error());
    if (after->token_version > 0)
        revocation_->user_changed(after->id, after->token_version, after->status);
    return Response::json(200, after->to_json());
}

Response AuthPlugin::rotate_key(const Request&) {
    auto kid = keys_->rotate(now_seconds());
    if (!kid) {
        if (!kid.ok() && kid.error().is_state())
            return Response::error(409, "KEY_FROM_ENVIRONMENT", kid.error().message);
        return failure_response(kid.error());
    }
    return Response::json(200, {{"kid", *kid}});
}

sdk::Result<boost::json::value> AuthPlugin::create_admin(const boost::json::value& input,
                                                         const sdk::Principal& caller) {
    if (!caller.has_role("admin"))
        return Error::rejected("auth.create_admin needs an admin caller");
    if (!input.is_object()) return Error::invalid("input must be an object");
    const auto& body = input.as_object();
    auto email = valid_email(body);
    if (!email) return std::move(email).error();
    auto password = valid_password(body);
    if (!password) return std::move(password).error();
    auto name = valid_name(body);
    if (!name) return std::move(name).error();
    auto user = new_user(std::move(*email), std::move(*name), "admin", *password, "admitd");
    if (!user) return std::move(user).error();
    if (auto s = insert_user(host_->db(), *user, caller.subject(), user->created_at); !s) {
        if (!s.ok() && s.error().is_conflict())
            return Error::conflict("EMAIL_TAKEN: an account with this email already exists");
        return std::move(s).error();
    }
    host_->info("auth: created admin ", user->id);
    auto created = user->to_json();
    created["secondFactor"] =
        "recommended: enable TOTP for this admin: log in, POST /api/v1/auth/totp/enrol (answers "
        "a secret and an otpauth:// URI, shown once: add it to an authenticator app), then POST "
        "/api/v1/auth/totp/confirm {\"code\": \"123456\"} with the app's current code; from "
        "then on every login needs \"totpCode\"";
    return boost::json::value(std::move(created));
}

sdk::Result<boost::json::value> AuthPlugin::user_service(const boost::json::value& input,
                                                         const sdk::Principal&) {
    if (!input.is_object()) return Error::invalid("input must be an object");
    auto id = sdk::fields::required_string(input.as_object(), "userId");
    if (!id) return std::move(id).error();
    auto user = find_user_by_id(host_->db(), *id);
    if (!user) return std::move(user).error();
    if (!*user) return Error::not_found("no user " + *id);
    auto json = (*user)->to_json();
    json.erase("createdAt");
    return boost::json::value(std::move(json));
}

}  // namespace admit::auth
