// Test helper: builds arbitrary compact JWS strings (any header, any payload, any signature), to
// attack the verifier with tokens the plugin itself would never issue.
#pragma once

#include "key_ring.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace admit::auth::testing {

/// base64url(header) "." base64url(payload) "." base64url(Ed25519 signature by `key`).
std::string forge_eddsa(const boost::json::object& header, const boost::json::object& payload,
                        const SigningKey& key);
/// The same with an HMAC-SHA256 signature keyed by `secret` (the "alg":"HS256" confusion attack).
std::string forge_hs256(const boost::json::object& header, const boost::json::object& payload,
                        std::string_view secret);
/// Unsigned: header.payload. (empty signature)
std::string forge_unsigned(const boost::json::object& header, const boost::json::object& payload);

/// Decodes the payload of a compact token (no verification).
boost::json::object payload_of(const std::string& token);
boost::json::object header_of(const std::string& token);

}  // namespace admit::auth::testing

namespace admit::auth::testing {

struct HostileToken {
    std::string name;
    std::string token;
};

/// Every way the verifier must refuse a token, derived from a valid header and payload that `key`
/// signs (the valid combination itself is accepted: callers check that as the control).
/// `stranger` is a key the verifier does not know.
std::vector<HostileToken> hostile_tokens(const boost::json::object& header,
                                         const boost::json::object& payload, const SigningKey& key,
                                         const SigningKey& stranger, int64_t now);

}  // namespace admit::auth::testing
