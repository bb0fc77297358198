#include "code.hpp"

namespace admit::ticket {

sdk::Result<SignedTicket> parse_signed_ticket(std::span<const uint8_t> bytes) {
    if (bytes.size() > kMaxCodeBytes) return sdk::Error::invalid("code longer than any valid code");
    auto prefix = decode_payload_prefix(bytes);
    if (!prefix) return std::move(prefix).error();
    ByteReader in(bytes.subspan(prefix->size));
    const auto signature = in.bytes(kSignatureBytes);
    if (!signature) return sdk::Error::invalid("truncated in venue signature");
    return SignedTicket{std::move(prefix->payload), bytes.first(prefix->size), *signature,
                        bytes.first(prefix->size + kSignatureBytes)};
}

sdk::Result<ParsedCode> parse_code(std::span<const uint8_t> bytes) {
    auto ticket = parse_signed_ticket(bytes);
    if (!ticket) return std::move(ticket).error();
    ParsedCode code{std::move(*ticket), std::nullopt};
    ByteReader in(bytes.subspan(code.ticket.bytes.size()));
    if (code.ticket.payload.ticket_key) {
        if (in.remaining() == 0) return sdk::Error::invalid("rotating code without its window");
        const auto window = in.u32();
        if (!window) return sdk::Error::invalid("truncated in window");
        const auto signature = in.bytes(kSignatureBytes);
        if (!signature) return sdk::Error::invalid("truncated in window signature");
        code.window = WindowProof{*window, *signature};
    }
    if (in.remaining() != 0) {
        return sdk::Error::invalid(std::to_string(in.remaining()) + " trailing bytes");
    }
    return code;
}

}  // namespace admit::ticket
