#include "venue_signature_cache.hpp"

#include <sodium.h>

#include <algorithm>

namespace admit::ticket {

VenueSignatureCache::VenueSignatureCache(std::size_t capacity)
    : capacity_(std::max(capacity, kShards)),
      per_shard_(std::max<std::size_t>(1, std::max(capacity, kShards) / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

VenueSignatureCache::~VenueSignatureCache() = default;

VenueSignatureCache::Digest VenueSignatureCache::digest_of(const PublicKeyBytes& key,
                                                           std::span<const uint8_t> signed_ticket) {
    Digest digest{};
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, key.data(), key.size());
    crypto_hash_sha256_update(&state, signed_ticket.data(), signed_ticket.size());
    crypto_hash_sha256_final(&state, digest.data());
    return digest;
}

VenueSignatureCache::Shard& VenueSignatureCache::shard_of(const Digest& digest) noexcept {
    return shards_[digest[31] % kShards];  // byte 31: independent of the hash table's bytes
}

bool VenueSignatureCache::contains(const PublicKeyBytes& key,
                                   std::span<const uint8_t> signed_ticket) {
    const Digest digest = digest_of(key, signed_ticket);
    Shard& shard = shard_of(digest);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.index.find(digest);
    if (found == shard.index.end()) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    shard.order.splice(shard.order.begin(), shard.order, found->second);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void VenueSignatureCache::remember(const PublicKeyBytes& key,
                                   std::span<const uint8_t> signed_ticket) {
    const Digest digest = digest_of(key, signed_ticket);
    Shard& shard = shard_of(digest);
    std::lock_guard lock(shard.mutex);
    if (const auto found = shard.index.find(digest); found != shard.index.end()) {
        shard.order.splice(shard.order.begin(), shard.order, found->second);
        return;
    }
    if (shard.index.size() >= per_shard_) {
        shard.index.erase(shard.order.back());
        shard.order.pop_back();
    }
    shard.order.push_front(digest);
    shard.index.emplace(digest, shard.order.begin());
}

std::size_t VenueSignatureCache::size() const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < kShards; ++i) {
        std::lock_guard lock(shards_[i].mutex);
        total += shards_[i].index.size();
    }
    return total;
}

}  // namespace admit::ticket
