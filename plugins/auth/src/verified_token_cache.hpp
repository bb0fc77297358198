// VerifiedTokenCache: access tokens whose signature and claims were checked already, so a
// client's next request skips the Ed25519 verification (about 50 µs of CPU, the largest part of
// authenticating a request). Buyers in a sale retry and poll with the same token many times.
//
// Contract:
//   - keyed by the BLAKE2b-256 digest of the whole token, so only the identical token hits;
//   - an entry answers only under the key-ring generation it was verified in (a key leaving the
//     ring invalidates what it signed), and the caller re-checks exp/nbf on every hit
//     (token_times_valid); the revocation check is not part of it (see AllowedSessions);
//   - bounded: per shard two generations of at most capacity/kShards entries each; when the
//     current one is full the older one is dropped (a cheap approximation of LRU).
// Thread-safe: sharded mutexes, no lock held while verifying.
#pragma once

#include "access_token.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace admit::auth {

class VerifiedTokenCache {
  public:
    /// `capacity` 0 disables the cache (find() never hits, insert() keeps nothing).
    explicit VerifiedTokenCache(std::size_t capacity);

    /// The claims of `token` when it was verified under `ring_generation`.
    std::optional<AccessClaims> find(std::string_view token, uint64_t ring_generation);
    /// Remembers that `token` verified to `claims` under `ring_generation`.
    void insert(std::string_view token, const AccessClaims& claims, uint64_t ring_generation);
    /// Entries held now (both generations), for tests and metrics.
    std::size_t size() const;

  private:
    static constexpr std::size_t kShards = 16;
    using Digest = std::array<unsigned char, 32>;
    struct DigestHash {
        std::size_t operator()(const Digest& d) const noexcept;
    };
    struct Entry {
        AccessClaims claims;
        uint64_t ring_generation = 0;
    };
    using Map = std::unordered_map<Digest, Entry, DigestHash>;
    struct Shard {
        mutable std::mutex mutex;
        Map current;
        Map previous;
    };

    static Digest digest_of(std::string_view token);
    Shard& shard_of(const Digest& digest) { return shards_[digest[0] % kShards]; }

    std::size_t per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace admit::auth
