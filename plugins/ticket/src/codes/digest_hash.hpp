// DigestHash: the hash of a cryptographic digest in an unordered container, its first eight
// bytes: a SHA-256 output is uniform, so any eight of its bytes spread as well as a full hash.
// Used by VenueSignatureCache (32-byte digests) and VouchedTickets (16-byte digests).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace admit::ticket {

struct DigestHash {
    template <std::size_t N>
    std::size_t operator()(const std::array<uint8_t, N>& digest) const noexcept {
        static_assert(N >= sizeof(std::size_t), "a digest has at least eight bytes");
        std::size_t h = 0;
        std::memcpy(&h, digest.data(), sizeof h);
        return h;
    }
};

}  // namespace admit::ticket
