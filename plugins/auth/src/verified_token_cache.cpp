#include "verified_token_cache.hpp"

#include <sodium.h>

#include <cstring>

namespace admit::auth {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity)
    : per_shard_((capacity + kShards - 1) / kShards) {}

std::size_t VerifiedTokenCache::DigestHash::operator()(const Digest& d) const noexcept {
    std::size_t value = 0;
    std::memcpy(&value, d.data() + 8,
                sizeof value);  // a cryptographic digest: any 8 bytes are uniform
    return value;
}

VerifiedTokenCache::Digest VerifiedTokenCache::digest_of(std::string_view token) {
    Digest digest{};
    crypto_generichash(digest.data(), digest.size(),
                       reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                       0);
    return digest;
}

std::optional<AccessClaims> VerifiedTokenCache::find(std::string_view token,
                                                     uint64_t ring_generation) {
    if (per_shard_ == 0) return std::nullopt;
    const Digest digest = digest_of(token);
    Shard& shard = shard_of(digest);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.current.find(digest); it != shard.current.end()) {
        if (it->second.ring_generation == ring_generation) return it->second.claims;
        shard.current.erase(it);
        return std::nullopt;
    }
    auto it = shard.previous.find(digest);
    if (it == shard.previous.end()) return std::nullopt;
    if (it->second.ring_generation != ring_generation) {
        shard.previous.erase(it);
        return std::nullopt;
    }
    AccessClaims claims = it->second.claims;
    if (shard.current.size() < per_shard_)
        shard.current.insert(shard.previous.extract(it));  // still in use
    return claims;
}

void VerifiedTokenCache::insert(std::string_view token, const AccessClaims& claims,
                                uint64_t ring_generation) {
    if (per_shard_ == 0) return;
    const Digest digest = digest_of(token);
    Shard& shard = shard_of(digest);
    std::lock_guard lock(shard.mutex);
    if (shard.current.size() >= per_shard_) {
        shard.previous = std::move(shard.current);
        shard.current = Map();
    }
    shard.current.insert_or_assign(digest, Entry{claims, ring_generation});
}

std::size_t VerifiedTokenCache::size() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.current.size() + shard.previous.size();
    }
    return total;
}

}  // namespace admit::auth
