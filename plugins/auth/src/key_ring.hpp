// Ed25519 signing keys for access tokens and the set of keys that still verify (the key ring).
//
// Thread-safety: KeyRing is safe for concurrent use; readers (verify on every request) take a
// shared lock for a short lookup, replace() takes it exclusively.
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace admit::auth {

using PublicKey = std::array<unsigned char, 32>;

/// One key. `secret` (libsodium's 64-byte form: seed + public key) is present only for keys this
/// process may sign with. `retired_at` 0: still signing; otherwise the unix second it stopped.
struct SigningKey {
    std::string kid;
    PublicKey public_key{};
    std::optional<std::array<unsigned char, 64>> secret;
    int64_t created_at = 0;
    int64_t retired_at = 0;

    /// A fresh random key created at `now`.
    static SigningKey generate(int64_t now);
    /// The key of a 32-byte seed given as base64url or standard base64; error names the problem.
    static sdk::Result<SigningKey> from_seed_text(std::string_view text, int64_t now);
    /// Rebuilds a key from stored text (public key and optional seed, both base64url).
    static sdk::Result<SigningKey> from_stored(std::string kid, std::string_view public_key,
                                               std::optional<std::string_view> seed,
                                               int64_t created_at, int64_t retired_at);
    /// base64url of the public key and of the seed (empty without a secret).
    std::string public_text() const;
    std::string seed_text() const;
    /// The key's JWK ({"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"}).
    boost::json::object jwk() const;
};

/// kid of a public key: base64url of the first 16 bytes of its SHA-256.
std::string kid_of(const PublicKey& key);

class KeyRing {
  public:
    /// Replaces the whole ring: `signer` signs from now on (it is also a verifying key);
    /// `verifiers` are the other keys still accepted.
    void replace(std::shared_ptr<const SigningKey> signer,
                 std::vector<std::shared_ptr<const SigningKey>> verifiers);

    /// The current signer; null before the first replace().
    std::shared_ptr<const SigningKey> signer() const;
    /// The public key for `kid`, when that key still verifies.
    std::optional<PublicKey> find(std::string_view kid) const;
    /// {"keys": [...]} of every verifying key, signer first.
    boost::json::object jwks() const;
    /// Moves on whenever replace() changes the set of verifying keys (not on a reload that
    /// found the same keys): what was verified under an older generation must be verified again.
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

  private:
    mutable std::shared_mutex mutex_;
    std::shared_ptr<const SigningKey> signer_;
    std::vector<std::shared_ptr<const SigningKey>> keys_;  // signer first
    std::atomic<uint64_t> generation_{0};
};

}  // namespace admit::auth
