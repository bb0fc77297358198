// Venue ticket keys: Ed25519 (libsodium crypto_sign_ed25519, detached signatures) that sign
// ticket payloads, their key ids, and their JWK form.
//
// Key ids follow the auth plugin's convention: the JWK `kid` is base64url of the first 16 bytes
// of SHA-256(public key). A code carries only the first 4 of those bytes (ShortKeyId), which is
// enough to pick the key among the few a kit lists; a gate still verifies the signature with
// every key whose short id matches, so a collision costs time, never a wrong verdict.
// JWK: {"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig",
// "admit_use":"ticket"}: `use` is the standard "sig" (RFC 7517), and `admit_use` "ticket" tells
// ticket keys apart from access-token keys (which have no admit_use) in /.well-known/jwks.json.
//
// What the venue signs: signature = Ed25519(secret, "admit-ticket/1" || payload bytes).
// All functions are thread-safe; init_ticket_codes() must have run.
#pragma once

#include "byte_io.hpp"
#include "payload.hpp"

#include <admit/sdk/result.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <span>
#include <string>

namespace admit::ticket {

using SignatureBytes = std::array<uint8_t, 64>;

/// The value of the JWK member "admit_use" that marks a ticket key.
inline constexpr std::string_view kTicketKeyUse = "ticket";

/// Whether a JWK of a JWKS or a kit is a ticket key: "admit_use" is "ticket"; or, without
/// "admit_use", "use" is absent or "ticket" (kits written before admit_use existed). An
/// access-token key ("use": "sig", no "admit_use") is not.
bool is_ticket_jwk(const boost::json::object& jwk);

/// base64url of the first 16 bytes of SHA-256(key): the JWK kid.
std::string key_kid(const PublicKeyBytes& key);
/// The first 4 bytes of SHA-256(key): the key id inside codes.
ShortKeyId short_key_id(const PublicKeyBytes& key);

/// A venue public key with its ids precomputed. Immutable value.
struct VenuePublicKey {
    PublicKeyBytes bytes{};
    std::string kid;
    ShortKeyId short_id{};

    static VenuePublicKey from_bytes(const PublicKeyBytes& key);
    /// Reads an OKP/Ed25519 JWK; refuses a wrong kty/crv/alg, an `x` that is not 32 bytes of
    /// base64url, and a `kid` that is not key_kid(x). `use` is checked by the caller.
    static sdk::Result<VenuePublicKey> from_jwk(const boost::json::object& jwk);
    boost::json::object jwk() const;
};

/// A venue's private signing key. Move-only; the secret is wiped when the object dies.
class VenueSigningKey {
  public:
    /// A fresh random key.
    static VenueSigningKey generate();
    /// The key of a 32-byte seed (how a deployment stores it); ADMIT_E_INVALID_ARGUMENT otherwise.
    static sdk::Result<VenueSigningKey> from_seed(std::span<const uint8_t> seed);

    VenueSigningKey(VenueSigningKey&& other) noexcept;
    VenueSigningKey& operator=(VenueSigningKey&& other) noexcept;
    VenueSigningKey(const VenueSigningKey&) = delete;
    VenueSigningKey& operator=(const VenueSigningKey&) = delete;
    ~VenueSigningKey();

    const VenuePublicKey& public_key() const noexcept { return public_; }
    /// The 32-byte seed, for storage by the ticket plugin (handle as a secret).
    std::array<uint8_t, 32> seed() const;

    /// The static code bytes of `payload` (payload || signature), with payload.key_id set to
    /// this key's short id. Fails only when encode_payload() refuses a field.
    sdk::Result<Bytes> issue_code(TicketPayload payload) const;

  private:
    VenueSigningKey() = default;

    VenuePublicKey public_;
    std::array<uint8_t, 64> secret_{};  // libsodium's form: seed || public key
};

/// Whether `signature` is the venue signature of `payload_bytes` under `key`.
bool verify_venue_signature(const PublicKeyBytes& key, std::span<const uint8_t> payload_bytes,
                            std::span<const uint8_t> signature);

}  // namespace admit::ticket
