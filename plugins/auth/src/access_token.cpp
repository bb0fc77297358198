#include "access_token.hpp"

#include "encoding.hpp"
#include "validation.hpp"

#include <sodium.h>
#include <boost/json.hpp>

#include <cstring>

namespace admit::auth {
namespace {

using sdk::Error;

Error refused(std::string reason) {
    return Error::rejected("access token refused: " + std::move(reason));
}

// exp and nbf against `now`, with the leeway: the part of a verification that goes stale.
sdk::Status check_times(int64_t expires_at, int64_t not_before, const TokenSettings& settings,
                        int64_t now) {
    if (expires_at + settings.leeway_seconds <= now) return refused("expired");
    if (not_before - settings.leeway_seconds > now) return refused("not yet valid");
    return {};
}

/// Parses JSON into a caller-provided arena, so the common path does not touch the heap.
boost::json::value parse_into(std::string_view text, boost::json::monotonic_resource& arena) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec, &arena);
    if (ec) return nullptr;
    return value;
}

std::string_view string_claim(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr || !value->is_string()) return {};
    return value->get_string();
}

std::optional<int64_t> int_claim(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
        return static_cast<int64_t>(value->get_uint64());
    }
    return std::nullopt;
}

bool audience_matches(const boost::json::object& payload, std::string_view audience) {
    const auto* aud = payload.if_contains("aud");
    if (aud == nullptr) return false;
    if (aud->is_string()) return aud->get_string() == audience;
    if (!aud->is_array()) return false;
    for (const auto& item : aud->get_array()) {
        if (item.is_string() && item.get_string() == audience) return true;
    }
    return false;
}

}  // namespace

sdk::Result<std::string> sign_access_token(const SigningKey& key, const AccessClaims& claims,
                                           const TokenSettings& settings) {
    if (!key.secret) return Error::internal("signing key " + key.kid + " has no private part");
    const boost::json::object header{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", key.kid}};
    const boost::json::object payload{
        {"iss", settings.issuer},   {"aud", settings.audience}, {"sub", claims.subject},
        {"role", claims.role},      {"tier", claims.tier},      {"sid", claims.session},
        {"ver", claims.version},    {"iat", claims.issued_at},  {"nbf", claims.not_before},
        {"exp", claims.expires_at}, {"jti", claims.token_id},   {"client_id", claims.client_id}};
    std::string token = base64url_encode(boost::json::serialize(header));
    token.push_back('.');
    token += base64url_encode(boost::json::serialize(payload));
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(token.data()),
                         token.size(), key.secret->data());
    token.push_back('.');
    token += base64url_encode(
        std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
    return token;
}

sdk::Result<AccessClaims> verify_access_token(std::string_view token, const KeyRing& keys,
                                              const TokenSettings& settings, int64_t now) {
    if (token.empty() || token.size() > kMaxTokenLength) return refused("length");
    const auto first_dot = token.find('.');
    const auto second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos ||
        token.find('.', second_dot + 1) != std::string_view::npos) {
        return refused("not three parts");
    }
    const std::string_view header_part = token.substr(0, first_dot);
    const std::string_view payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
    const std::string_view signature_part = token.substr(second_dot + 1);

    unsigned char buffer[4096];
    boost::json::monotonic_resource arena(buffer, sizeof buffer);

    const auto header_text = base64url_decode(header_part);
    if (!header_text) return refused("header encoding");
    const boost::json::value header_value = parse_into(*header_text, arena);
    if (!header_value.is_object()) return refused("header is not a JSON object");
    const auto& header = header_value.get_object();
    if (string_claim(header, "alg") != "EdDSA") return refused("alg");
    if (string_claim(header, "typ") != "at+jwt") return refused("typ");
    if (header.contains("crit")) return refused("crit");
    const std::string_view kid = string_claim(header, "kid");
    if (kid.empty()) return refused("kid missing");
    const auto public_key = keys.find(kid);
    if (!public_key) return Error::not_found("access token refused: unknown kid");

    const auto signature = base64url_decode(signature_part);
    if (!signature || signature->size() != crypto_sign_BYTES) return refused("signature encoding");
    const std::string_view signed_part = token.substr(0, second_dot);
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                    reinterpret_cast<const unsigned char*>(signed_part.data()),
                                    signed_part.size(), public_key->data()) != 0) {
        return refused("signature");
    }

    const auto payload_text = base64url_decode(payload_part);
    if (!payload_text) return refused("payload encoding");
    const boost::json::value payload_value = parse_into(*payload_text, arena);
    if (!payload_value.is_object()) return refused("payload is not a JSON object");
    const auto& payload = payload_value.get_object();
    if (string_claim(payload, "iss") != settings.issuer) return refused("iss");
    if (!audience_matches(payload, settings.audience)) return refused("aud");
    const auto expires_at = int_claim(payload, "exp");
    const auto not_before = int_claim(payload, "nbf");
    const auto issued_at = int_claim(payload, "iat");
    const auto version = int_claim(payload, "ver");
    if (!expires_at || !not_before || !issued_at || !version)
        return refused("exp, nbf, iat and ver are required");
    if (auto times = check_times(*expires_at, *not_before, settings, now); !times)
        return times.error();
    if (*issued_at - settings.leeway_seconds > now) return refused("issued in the future");

    AccessClaims claims;
    claims.subject = std::string(string_claim(payload, "sub"));
    claims.role = std::string(string_claim(payload, "role"));
    claims.tier = std::string(string_claim(payload, "tier"));
    claims.session = std::string(string_claim(payload, "sid"));
    claims.token_id = std::string(string_claim(payload, "jti"));
    claims.client_id = std::string(string_claim(payload, "client_id"));
    if (claims.subject.empty() || claims.session.empty())
        return refused("sub and sid are required");
    if (!is_known_role(claims.role)) return refused("role");
    if (!is_known_tier(claims.tier)) return refused("tier");
    claims.version = *version;
    claims.issued_at = *issued_at;
    claims.not_before = *not_before;
    claims.expires_at = *expires_at;
    return claims;
}

sdk::Status token_times_valid(const AccessClaims& claims, const TokenSettings& settings,
                              int64_t now) {
    return check_times(claims.expires_at, claims.not_before, settings, now);
}

}  // namespace admit::auth
