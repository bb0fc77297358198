#include "key_ring.hpp"

#include "encoding.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace admit::auth {

std::string kid_of(const PublicKey& key) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, key.data(), key.size());
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

SigningKey SigningKey::generate(int64_t now) {
    SigningKey key;
    std::array<unsigned char, 64> secret{};
    crypto_sign_keypair(key.public_key.data(), secret.data());
    key.secret = secret;
    sodium_memzero(secret.data(), secret.size());
    key.kid = kid_of(key.public_key);
    key.created_at = now;
    return key;
}

sdk::Result<SigningKey> SigningKey::from_seed_text(std::string_view text, int64_t now) {
    std::string seed(crypto_sign_SEEDBYTES + 1, '\0');
    std::size_t length = 0;
    bool decoded = false;
    for (int variant :
         {sodium_base64_VARIANT_URLSAFE_NO_PADDING, sodium_base64_VARIANT_URLSAFE,
          sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(seed.data()), seed.size(),
                              text.data(), text.size(), " \n\r", &length, nullptr, variant) == 0) {
            decoded = true;
            break;
        }
    }
    if (!decoded || length != crypto_sign_SEEDBYTES) {
        sodium_memzero(seed.data(), seed.size());
        return sdk::Error::invalid("the signing key must be a base64 32-byte Ed25519 seed");
    }
    SigningKey key;
    std::array<unsigned char, 64> secret{};
    crypto_sign_seed_keypair(key.public_key.data(), secret.data(),
                             reinterpret_cast<const unsigned char*>(seed.data()));
    sodium_memzero(seed.data(), seed.size());
    key.secret = secret;
    sodium_memzero(secret.data(), secret.size());
    key.kid = kid_of(key.public_key);
    key.created_at = now;
    return key;
}

sdk::Result<SigningKey> SigningKey::from_stored(std::string kid, std::string_view public_key,
                                                std::optional<std::string_view> seed,
                                                int64_t created_at, int64_t retired_at) {
    SigningKey key;
    if (seed) {
        auto restored = from_seed_text(*seed, created_at);
        if (!restored) return std::move(restored).error();
        key = std::move(*restored);
    } else {
        auto bytes = base64url_decode(public_key);
        if (!bytes || bytes->size() != key.public_key.size()) {
            return sdk::Error::internal("stored public key of " + kid + " is malformed");
        }
        std::memcpy(key.public_key.data(), bytes->data(), key.public_key.size());
    }
    if (kid_of(key.public_key) != kid)
        return sdk::Error::internal("stored key " + kid + " does not match its kid");
    key.kid = std::move(kid);
    key.created_at = created_at;
    key.retired_at = retired_at;
    return key;
}

std::string SigningKey::public_text() const {
    return base64url_encode(
        std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
}

std::string SigningKey::seed_text() const {
    if (!secret) return {};
    return base64url_encode(
        std::string_view(reinterpret_cast<const char*>(secret->data()), crypto_sign_SEEDBYTES));
}

boost::json::object SigningKey::jwk() const {
    return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", public_text()},
            {"kid", kid},   {"alg", "EdDSA"},   {"use", "sig"}};
}

void KeyRing::replace(std::shared_ptr<const SigningKey> signer,
                      std::vector<std::shared_ptr<const SigningKey>> verifiers) {
    std::vector<std::shared_ptr<const SigningKey>> keys;
    keys.reserve(verifiers.size() + 1);
    if (signer) keys.push_back(signer);
    for (auto& key : verifiers) {
        if (key && (!signer || key->kid != signer->kid)) keys.push_back(std::move(key));
    }
    std::unique_lock lock(mutex_);
    const bool same_keys =
        std::equal(keys.begin(), keys.end(), keys_.begin(), keys_.end(),
                   [](const auto& a, const auto& b) { return a->kid == b->kid; });
    signer_ = std::move(signer);
    keys_ = std::move(keys);
    if (!same_keys) generation_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const SigningKey> KeyRing::signer() const {
    std::shared_lock lock(mutex_);
    return signer_;
}

std::optional<PublicKey> KeyRing::find(std::string_view kid) const {
    std::shared_lock lock(mutex_);
    for (const auto& key : keys_) {
        if (key->kid == kid) return key->public_key;
    }
    return std::nullopt;
}

boost::json::object KeyRing::jwks() const {
    boost::json::array keys;
    std::shared_lock lock(mutex_);
    for (const auto& key : keys_) keys.push_back(key->jwk());
    return {{"keys", std::move(keys)}};
}

}  // namespace admit::auth
