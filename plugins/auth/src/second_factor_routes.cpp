// The TOTP second factor of AuthPlugin (RFC 6238): enrolment and confirmation routes for the
// caller (admins), and the check a login of an account with the factor enabled must pass.
#include "auth_plugin.hpp"
#include "encoding.hpp"
#include "totp.hpp"
#include "totp_store.hpp"

#include <sodium.h>

namespace admit::auth {
namespace {

using sdk::Request;
using sdk::Response;

Response no_store(Response response) {
    response.header("Cache-Control", "no-store");
    return response;
}

}  // namespace

Response AuthPlugin::enrol_totp(const Request& request) {
    const std::string user_id(request.principal().subject());
    auto user = find_user_by_id(host_->db(), user_id);
    if (!user) return failure_response(user.error());
    if (!*user) return Response::error(401, "UNAUTHENTICATED", "the account no longer exists");
    std::string secret(totp::kSecretBytes, '\0');
    randombytes_buf(secret.data(), secret.size());
    const std::string encoded = totp::base32_encode(secret);
    sodium_memzero(secret.data(), secret.size());
    if (auto s = start_totp_enrolment(host_->db(), user_id, encoded, now_seconds()); !s) {
        if (s.error().is_conflict())
            return Response::error(409, "TOTP_ALREADY_ENABLED",
                                   "this account's second factor is enabled already");
        return failure_response(s.error());
    }
    // Shown once: the secret is never answered again (a new enrolment makes a new one).
    return no_store(Response::json(
        200, {{"secret", encoded},
              {"otpauthUri", totp::otpauth_uri(settings_.token.issuer, (*user)->email, encoded)},
              {"algorithm", "SHA1"},
              {"digits", totp::kDigits},
              {"period", totp::kStepSeconds}}));
}

Response AuthPlugin::confirm_totp_enrolment(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto code = sdk::fields::required_string(*body, "code");
    if (!code) return Response::from_error(code.error());
    const std::string user_id(request.principal().subject());
    auto factor = find_totp(host_->db(), user_id);
    if (!factor) return failure_response(factor.error());
    if (!*factor || (*factor)->enabled) {
        return *factor ? Response::error(409, "TOTP_ALREADY_ENABLED",
                                         "this account's second factor is enabled already")
                       : Response::error(409, "TOTP_NOT_ENROLLED",
                                         "no enrolment to confirm: POST /api/v1/auth/totp/enrol");
    }
    const auto secret = totp::base32_decode((*factor)->secret_base32);
    if (!secret) return failure_response(sdk::Error::internal("a stored TOTP secret is malformed"));
    const auto step = totp::matching_step(*secret, *code, now_seconds());
    if (!step) return Response::error(422, "TOTP_INVALID", "the code is wrong or expired");
    auto confirmed =
        confirm_totp(host_->db(), user_id, (*factor)->secret_base32, *step, now_seconds());
    if (!confirmed) return failure_response(confirmed.error());
    if (!*confirmed)
        return Response::error(409, "TOTP_NOT_ENROLLED",
                               "the enrolment was confirmed or replaced meanwhile");
    return no_store(Response::json(200, {{"enabled", true}}));
}

std::optional<Response> AuthPlugin::second_factor_refusal(const User& user,
                                                          const boost::json::object& body,
                                                          const std::string& account) {
    auto factor = find_totp(host_->db(), user.id);
    if (!factor) return failure_response(factor.error());
    if (!*factor || !(*factor)->enabled) return std::nullopt;
    auto code = sdk::fields::optional_string(body, "totpCode");
    if (!code) return Response::from_error(code.error());
    if (!*code)
        return Response::error(401, "TOTP_REQUIRED",
                               "this account needs the code of its authenticator app in "
                               "'totpCode'");
    const auto secret = totp::base32_decode((*factor)->secret_base32);
    if (!secret) return failure_response(sdk::Error::internal("a stored TOTP secret is malformed"));
    const auto step = totp::matching_step(*secret, **code, now_seconds());
    bool accepted = false;
    if (step) {
        auto consumed = consume_totp_step(host_->db(), user.id, *step);
        if (!consumed) return failure_response(consumed.error());
        accepted = *consumed;  // false: this code (or a later one) was used already
    }
    if (accepted) return std::nullopt;
    if (auto s = publish_login_failure(account, user.id, "WRONG_TOTP"); !s)
        return failure_response(s.error());
    return Response::error(401, "TOTP_INVALID",
                           "the authenticator code is wrong, expired or used already");
}

}  // namespace admit::auth
