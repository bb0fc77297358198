#include "venue_key.hpp"

#include "base64url.hpp"
#include "signing_message.hpp"

#include <sodium.h>

#include <algorithm>

namespace admit::ticket {
namespace {

constexpr std::string_view kVenueContext = "admit-ticket/1";

std::array<uint8_t, crypto_hash_sha256_BYTES> key_digest(const PublicKeyBytes& key) {
    std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), key.data(), key.size());
    return digest;
}

std::string_view string_member(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                  : std::string_view();
}

}  // namespace

std::string key_kid(const PublicKeyBytes& key) {
    const auto digest = key_digest(key);
    return base64url_encode(std::span<const uint8_t>(digest.data(), 16));
}

ShortKeyId short_key_id(const PublicKeyBytes& key) {
    const auto digest = key_digest(key);
    ShortKeyId id{};
    std::copy_n(digest.begin(), id.size(), id.begin());
    return id;
}

VenuePublicKey VenuePublicKey::from_bytes(const PublicKeyBytes& key) {
    return VenuePublicKey{key, key_kid(key), short_key_id(key)};
}

sdk::Result<VenuePublicKey> VenuePublicKey::from_jwk(const boost::json::object& jwk) {
    if (string_member(jwk, "kty") != "OKP" || string_member(jwk, "crv") != "Ed25519") {
        return sdk::Error::invalid("key is not an OKP/Ed25519 JWK");
    }
    if (jwk.contains("alg") && string_member(jwk, "alg") != "EdDSA") {
        return sdk::Error::invalid("key alg is not EdDSA");
    }
    const auto x = base64url_decode(string_member(jwk, "x"));
    PublicKeyBytes bytes{};
    if (!x || x->size() != bytes.size())
        return sdk::Error::invalid("key x is not 32 bytes of base64url");
    std::copy(x->begin(), x->end(), bytes.begin());
    VenuePublicKey key = from_bytes(bytes);
    if (string_member(jwk, "kid") != key.kid) {
        return sdk::Error::invalid("key kid does not match its x (expected " + key.kid + ")");
    }
    return key;
}

bool is_ticket_jwk(const boost::json::object& jwk) {
    if (const auto* marker = jwk.if_contains("admit_use"))
        return marker->is_string() && marker->get_string() == kTicketKeyUse;
    const auto* use = jwk.if_contains("use");
    return use == nullptr || (use->is_string() && use->get_string() == kTicketKeyUse);
}

boost::json::object VenuePublicKey::jwk() const {
    return {{"kty", "OKP"},   {"crv", "Ed25519"}, {"x", base64url_encode(bytes)}, {"kid", kid},
            {"alg", "EdDSA"}, {"use", "sig"},     {"admit_use", kTicketKeyUse}};
}

VenueSigningKey VenueSigningKey::generate() {
    VenueSigningKey key;
    PublicKeyBytes public_bytes{};
    crypto_sign_ed25519_keypair(public_bytes.data(), key.secret_.data());
    key.public_ = VenuePublicKey::from_bytes(public_bytes);
    return key;
}

sdk::Result<VenueSigningKey> VenueSigningKey::from_seed(std::span<const uint8_t> seed) {
    if (seed.size() != crypto_sign_ed25519_SEEDBYTES) {
        return sdk::Error::invalid("a venue key seed is 32 bytes");
    }
    VenueSigningKey key;
    PublicKeyBytes public_bytes{};
    crypto_sign_ed25519_seed_keypair(public_bytes.data(), key.secret_.data(), seed.data());
    key.public_ = VenuePublicKey::from_bytes(public_bytes);
    return key;
}

VenueSigningKey::VenueSigningKey(VenueSigningKey&& other) noexcept
    : public_(std::move(other.public_)), secret_(other.secret_) {
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

VenueSigningKey& VenueSigningKey::operator=(VenueSigningKey&& other) noexcept {
    if (this != &other) {
        public_ = std::move(other.public_);
        secret_ = other.secret_;
        sodium_memzero(other.secret_.data(), other.secret_.size());
    }
    return *this;
}

VenueSigningKey::~VenueSigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

std::array<uint8_t, 32> VenueSigningKey::seed() const {
    std::array<uint8_t, 32> seed{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), secret_.data());
    return seed;
}

sdk::Result<Bytes> VenueSigningKey::issue_code(TicketPayload payload) const {
    payload.key_id = public_.short_id;
    auto bytes = encode_payload(payload);
    if (!bytes) return std::move(bytes).error();
    const SigningMessage message(kVenueContext, {*bytes});
    if (!message.fits()) return sdk::Error::invalid("payload too long to sign");
    SignatureBytes signature{};
    crypto_sign_ed25519_detached(signature.data(), nullptr, message.bytes().data(),
                                 message.bytes().size(), secret_.data());
    ByteWriter(*bytes).bytes(signature);
    return bytes;
}

bool verify_venue_signature(const PublicKeyBytes& key, std::span<const uint8_t> payload_bytes,
                            std::span<const uint8_t> signature) {
    if (signature.size() != crypto_sign_ed25519_BYTES) return false;
    const SigningMessage message(kVenueContext, {payload_bytes});
    return message.fits() &&
           crypto_sign_ed25519_verify_detached(signature.data(), message.bytes().data(),
                                               message.bytes().size(), key.data()) == 0;
}

}  // namespace admit::ticket
