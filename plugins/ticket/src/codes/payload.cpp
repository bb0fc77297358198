#include "payload.hpp"

namespace admit::ticket {
namespace {

using sdk::Error;

constexpr std::size_t kCompactIdBytes = 16;

// Flag bits of byte 1.
constexpr uint8_t kTicketIdCompact = 0x01;
constexpr uint8_t kScheduleIdCompact = 0x02;
constexpr uint8_t kPlaceKindShift = 2;
constexpr uint8_t kPlaceKindMask = 0x0C;
constexpr uint8_t kHasTicketKey = 0x10;
constexpr uint8_t kReservedFlags = 0xE0;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not compact: it would not round-trip
}

/// The 16 bytes of `id` when it is `prefix` + 32 lower-case hex digits.
std::optional<std::array<uint8_t, kCompactIdBytes>> compact_id(std::string_view id,
                                                               std::string_view prefix) {
    if (id.size() != prefix.size() + 2 * kCompactIdBytes || !id.starts_with(prefix)) {
        return std::nullopt;
    }
    std::array<uint8_t, kCompactIdBytes> bytes{};
    for (std::size_t i = 0; i < kCompactIdBytes; ++i) {
        const int high = hex_value(id[prefix.size() + 2 * i]);
        const int low = hex_value(id[prefix.size() + 2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return bytes;
}

std::string expand_id(std::string_view prefix, std::span<const uint8_t> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(prefix);
    for (uint8_t b : bytes) {
        id.push_back(kHex[b >> 4]);
        id.push_back(kHex[b & 0x0F]);
    }
    return id;
}

/// Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) without NUL.
bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<uint8_t>(text[i]);
        if (lead == 0) return false;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // Continuation bytes, payload bits of the lead byte, smallest code point of that length.
        const std::size_t extra = (lead & 0xE0) == 0xC0   ? 1
                                  : (lead & 0xF0) == 0xE0 ? 2
                                  : (lead & 0xF8) == 0xF0 ? 3
                                                          : 0;
        if (extra == 0 || i + extra >= text.size()) return false;
        static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
        uint32_t code = lead & (0x3Fu >> extra);
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<uint8_t>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = code << 6 | (next & 0x3F);
        }
        if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

sdk::Status check_text(std::string_view field, std::string_view text) {
    if (text.empty() || text.size() > kMaxPayloadText) {
        return Error::invalid(std::string(field) + " must be 1.." +
                              std::to_string(kMaxPayloadText) + " bytes");
    }
    if (!valid_utf8(text)) return Error::invalid(std::string(field) + " is not valid UTF-8");
    return {};
}

void write_text(ByteWriter& out, std::string_view text) {
    out.u8(static_cast<uint8_t>(text.size()));
    out.text(text);
}

/// Reads a u8-length-prefixed text and checks it like the encoder does.
sdk::Result<std::string> read_text(ByteReader& in, std::string_view field) {
    const auto length = in.u8();
    if (!length) return Error::invalid("truncated at " + std::string(field) + " length");
    const auto bytes = in.bytes(*length);
    if (!bytes) return Error::invalid("truncated in " + std::string(field));
    std::string text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (auto checked = check_text(field, text); !checked) return std::move(checked).error();
    return text;
}

sdk::Result<std::string> read_id(ByteReader& in, bool compact, std::string_view prefix,
                                 std::string_view field) {
    if (compact) {
        const auto bytes = in.bytes(kCompactIdBytes);
        if (!bytes) return Error::invalid("truncated in " + std::string(field));
        return expand_id(prefix, *bytes);
    }
    auto text = read_text(in, field);
    if (text && compact_id(*text, prefix)) {
        return Error::invalid("non-canonical " + std::string(field) + " (compact form expected)");
    }
    return text;
}

}  // namespace

std::string_view place_kind_name(PlaceKind kind) noexcept {
    switch (kind) {
        case PlaceKind::seat:
            return "seat";
        case PlaceKind::grade:
            return "grade";
        case PlaceKind::none:
            break;
    }
    return "none";
}

sdk::Result<Bytes> encode_payload(const TicketPayload& payload) {
    if (payload.valid_from > payload.valid_until) {
        return Error::invalid("valid_from is after valid_until");
    }
    const auto ticket_compact = compact_id(payload.ticket_id, kTicketIdPrefix);
    const auto schedule_compact = compact_id(payload.schedule_id, kScheduleIdPrefix);
    if (!ticket_compact) {
        if (auto checked = check_text("ticket id", payload.ticket_id); !checked) {
            return std::move(checked).error();
        }
    }
    if (!schedule_compact) {
        if (auto checked = check_text("schedule id", payload.schedule_id); !checked) {
            return std::move(checked).error();
        }
    }
    if (payload.place_kind == PlaceKind::none) {
        if (!payload.place.empty()) return Error::invalid("place must be empty for kind none");
    } else if (payload.place_kind == PlaceKind::seat || payload.place_kind == PlaceKind::grade) {
        if (auto checked = check_text("place", payload.place); !checked)
            return std::move(checked).error();
    } else {
        return Error::invalid("unknown place kind");
    }

    uint8_t flags =
        static_cast<uint8_t>(static_cast<uint8_t>(payload.place_kind) << kPlaceKindShift);
    if (ticket_compact) flags |= kTicketIdCompact;
    if (schedule_compact) flags |= kScheduleIdCompact;
    if (payload.ticket_key) flags |= kHasTicketKey;

    Bytes bytes;
    bytes.reserve(15 + 2 * (kMaxPayloadText + 1) + kMaxPayloadText + 1 + 32);
    ByteWriter out(bytes);
    out.u8(kPayloadVersion);
    out.u8(flags);
    out.bytes(payload.key_id);
    out.u8(payload.issue);
    out.u32(payload.valid_from);
    out.u32(payload.valid_until);
    if (ticket_compact) {
        out.bytes(*ticket_compact);
    } else {
        write_text(out, payload.ticket_id);
    }
    if (schedule_compact) {
        out.bytes(*schedule_compact);
    } else {
        write_text(out, payload.schedule_id);
    }
    if (payload.place_kind != PlaceKind::none) write_text(out, payload.place);
    if (payload.ticket_key) out.bytes(*payload.ticket_key);
    return bytes;
}

sdk::Result<PayloadPrefix> decode_payload_prefix(std::span<const uint8_t> bytes) {
    ByteReader in(bytes);
    const auto version = in.u8();
    if (!version) return Error::invalid("truncated at version");
    if (*version != kPayloadVersion) {
        return Error::invalid("unknown version " + std::to_string(*version));
    }
    const auto flags = in.u8();
    if (!flags) return Error::invalid("truncated at flags");
    if (*flags & kReservedFlags) return Error::invalid("reserved flag bits are set");
    const auto kind = static_cast<uint8_t>((*flags & kPlaceKindMask) >> kPlaceKindShift);
    if (kind > static_cast<uint8_t>(PlaceKind::grade)) return Error::invalid("unknown place kind");

    PayloadPrefix decoded;
    TicketPayload& payload = decoded.payload;
    payload.place_kind = static_cast<PlaceKind>(kind);
    const auto key_id = in.bytes(payload.key_id.size());
    if (!key_id) return Error::invalid("truncated in key id");
    std::copy(key_id->begin(), key_id->end(), payload.key_id.begin());
    const auto issue = in.u8();
    if (!issue) return Error::invalid("truncated at issue");
    payload.issue = *issue;
    const auto valid_from = in.u32();
    if (!valid_from) return Error::invalid("truncated in valid_from");
    const auto valid_until = in.u32();
    if (!valid_until) return Error::invalid("truncated in valid_until");
    if (*valid_from > *valid_until) return Error::invalid("valid_from is after valid_until");
    payload.valid_from = *valid_from;
    payload.valid_until = *valid_until;

    auto ticket_id = read_id(in, *flags & kTicketIdCompact, kTicketIdPrefix, "ticket id");
    if (!ticket_id) return std::move(ticket_id).error();
    payload.ticket_id = std::move(*ticket_id);
    auto schedule_id = read_id(in, *flags & kScheduleIdCompact, kScheduleIdPrefix, "schedule id");
    if (!schedule_id) return std::move(schedule_id).error();
    payload.schedule_id = std::move(*schedule_id);
    if (payload.place_kind != PlaceKind::none) {
        auto place = read_text(in, "place");
        if (!place) return std::move(place).error();
        payload.place = std::move(*place);
    }
    if (*flags & kHasTicketKey) {
        const auto key = in.bytes(PublicKeyBytes{}.size());
        if (!key) return Error::invalid("truncated in ticket key");
        payload.ticket_key.emplace();
        std::copy(key->begin(), key->end(), payload.ticket_key->begin());
    }
    decoded.size = in.position();
    return decoded;
}

sdk::Result<TicketPayload> decode_payload(std::span<const uint8_t> bytes) {
    auto decoded = decode_payload_prefix(bytes);
    if (!decoded) return std::move(decoded).error();
    if (decoded->size != bytes.size()) {
        return Error::invalid(std::to_string(bytes.size() - decoded->size) + " trailing bytes");
    }
    return std::move(decoded->payload);
}

}  // namespace admit::ticket
