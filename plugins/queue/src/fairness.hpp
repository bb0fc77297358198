// The verifiable shuffle of the pre-queue. Before the pre-queue opens the plugin draws a secret
// 32-byte seed and publishes commitment = hex(SHA-256(seed)). At sale start the pre-queue is
// ordered by hex(HMAC-SHA256(key = seed, message = joinId)) ascending (ties, impossible in
// practice, by joinId) and the seed is revealed, so anyone can recompute the order.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace admit::queue {

/// 32 random bytes (libsodium).
std::string new_seed();
/// hex(SHA-256(seed)).
std::string commitment_of(std::string_view seed);
/// hex(HMAC-SHA256(seed, join_id)): the sort key of a pre-queue join.
std::string shuffle_key(std::string_view seed, std::string_view join_id);
/// The pre-queue order: `join_ids` sorted by shuffle_key (then join id).
std::vector<std::string> shuffled_order(std::string_view seed, std::vector<std::string> join_ids);

}  // namespace admit::queue
