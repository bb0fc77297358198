// The signed ticket payload (format version 1): what a venue key signs, byte by byte as
// plugins/ticket/README.md "Payload" describes. Fixed-width big-endian numbers, length-prefixed
// texts, and ids of the shape `<prefix>` + 32 lower-case hex digits stored as their 16 bytes.
// Decoding is strict: one byte string per payload, nothing missing, nothing left over.
// Pure functions, thread-safe.
#pragma once

#include "byte_io.hpp"

#include <admit/sdk/result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace admit::ticket {

inline constexpr uint8_t kPayloadVersion = 1;
/// Longest id, seat label or grade text a payload carries (bytes of UTF-8).
inline constexpr std::size_t kMaxPayloadText = 64;
/// Ids of these shapes travel as 16 bytes: `tkt_` / `sch_` + 32 lower-case hex digits.
inline constexpr std::string_view kTicketIdPrefix = "tkt_";
inline constexpr std::string_view kScheduleIdPrefix = "sch_";

/// The first 4 bytes of SHA-256 of a venue public key (see venue_key.hpp).
using ShortKeyId = std::array<uint8_t, 4>;
/// An Ed25519 public key.
using PublicKeyBytes = std::array<uint8_t, 32>;

/// What the seat field holds: nothing (general admission without grade), a seat label, a grade.
enum class PlaceKind : uint8_t { none = 0, seat = 1, grade = 2 };

std::string_view place_kind_name(PlaceKind kind) noexcept;

struct TicketPayload {
    ShortKeyId key_id{};       ///< which venue key signed it
    uint8_t issue = 0;         ///< 0 at first issue, +1 at each reissue (revocation by issue)
    uint32_t valid_from = 0;   ///< unix seconds
    uint32_t valid_until = 0;  ///< unix seconds, >= valid_from
    std::string ticket_id;     ///< 1..64 bytes
    std::string schedule_id;   ///< 1..64 bytes
    PlaceKind place_kind = PlaceKind::none;
    std::string place;  ///< seat label or grade: 1..64 bytes of UTF-8, empty for none
    /// The per-ticket key: present means the code is valid only with a window signature by its
    /// private half (rotating code); absent means a static code (printed tickets).
    std::optional<PublicKeyBytes> ticket_key;

    friend bool operator==(const TicketPayload&, const TicketPayload&) = default;
};

/// The payload's bytes; ADMIT_E_INVALID_ARGUMENT naming the field when a field is out of range.
sdk::Result<Bytes> encode_payload(const TicketPayload& payload);

/// A payload decoded from the front of a longer byte string, and how many bytes it took.
struct PayloadPrefix {
    TicketPayload payload;
    std::size_t size = 0;
};

/// Decodes the payload at the start of `bytes` and leaves what follows to the caller (the code
/// container: signature, window). ADMIT_E_INVALID_ARGUMENT with the reason ("truncated at ...",
/// "unknown version", "reserved flag bits", "non-canonical id", ...) otherwise.
sdk::Result<PayloadPrefix> decode_payload_prefix(std::span<const uint8_t> bytes);

/// Decodes a payload that must fill `bytes` exactly ("trailing bytes" otherwise).
sdk::Result<TicketPayload> decode_payload(std::span<const uint8_t> bytes);

}  // namespace admit::ticket
