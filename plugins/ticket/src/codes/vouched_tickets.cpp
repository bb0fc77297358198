#include "vouched_tickets.hpp"

#include "base64url.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace admit::ticket {
namespace {
constexpr std::string_view kDomain = "admit-vouch/1";
}  // namespace

VouchDigest vouch_digest(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket) {
    std::array<uint8_t, crypto_hash_sha256_BYTES> full{};
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, reinterpret_cast<const uint8_t*>(kDomain.data()),
                              kDomain.size());
    crypto_hash_sha256_update(&state, key.data(), key.size());
    crypto_hash_sha256_update(&state, signed_ticket.data(), signed_ticket.size());
    crypto_hash_sha256_final(&state, full.data());
    VouchDigest digest{};
    std::copy_n(full.begin(), digest.size(), digest.begin());
    return digest;
}

bool VouchedTickets::contains(const PublicKeyBytes& key,
                              std::span<const uint8_t> signed_ticket) const {
    return !digests_.empty() && digests_.contains(vouch_digest(key, signed_ticket));
}

boost::json::array VouchedTickets::to_json() const {
    std::vector<std::string> encoded;
    encoded.reserve(digests_.size());
    for (const auto& digest : digests_) encoded.push_back(base64url_encode(digest));
    std::sort(encoded.begin(), encoded.end());
    boost::json::array json;
    json.reserve(encoded.size());
    for (auto& text : encoded) json.emplace_back(std::move(text));
    return json;
}

sdk::Result<VouchedTickets> VouchedTickets::from_json(const boost::json::array& json) {
    VouchedTickets vouched;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto* text = json[i].if_string();
        const auto bytes = text != nullptr ? base64url_decode(*text) : std::nullopt;
        if (!bytes || bytes->size() != VouchDigest{}.size())
            return sdk::Error::invalid("vouched[" + std::to_string(i) +
                                       "] must be 16 bytes in base64url");
        VouchDigest digest{};
        std::copy(bytes->begin(), bytes->end(), digest.begin());
        vouched.add(digest);
    }
    return vouched;
}

}  // namespace admit::ticket
