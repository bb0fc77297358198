#include "fairness.hpp"

#include "entry_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace admit::queue {

std::string new_seed() {
    std::string seed(32, '\0');
    randombytes_buf(seed.data(), seed.size());
    return seed;
}

std::string commitment_of(std::string_view seed) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
    return to_hex(digest, sizeof digest);
}

std::string shuffle_key(std::string_view seed, std::string_view join_id) {
    unsigned char tag[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(seed.data()),
                                seed.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(join_id.data()),
                                  join_id.size());
    crypto_auth_hmacsha256_final(&state, tag);
    return to_hex(tag, sizeof tag);
}

std::vector<std::string> shuffled_order(std::string_view seed, std::vector<std::string> join_ids) {
    std::vector<std::pair<std::string, std::string>> keyed;
    keyed.reserve(join_ids.size());
    for (auto& id : join_ids) keyed.emplace_back(shuffle_key(seed, id), std::move(id));
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::string> order;
    order.reserve(keyed.size());
    for (auto& [key, id] : keyed) order.push_back(std::move(id));
    return order;
}

}  // namespace admit::queue
