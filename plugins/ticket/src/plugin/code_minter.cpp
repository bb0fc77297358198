#include "code_minter.hpp"

#include "codes/base45.hpp"
#include "codes/base64url.hpp"
#include "codes/rotating_code.hpp"

#include <algorithm>
#include <limits>

namespace admit::ticket {

namespace {
/// At most kMaxPayloadText bytes, cut at a UTF-8 character boundary.
std::string fit_text(std::string text) {
    if (text.size() <= kMaxPayloadText) return text;
    std::size_t end = kMaxPayloadText;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text;
}

uint32_t unix_seconds(int64_t micros) {
    const int64_t seconds = micros / 1'000'000;
    return static_cast<uint32_t>(
        std::clamp<int64_t>(seconds, 0, std::numeric_limits<uint32_t>::max()));
}
}  // namespace

sdk::Result<MintedCodes> mint_codes(const VenueSigningKey& signer, const TicketFace& face) {
    if (face.issue < 0 || face.issue > 255) return sdk::Error::invalid("issue must be 0..255");
    TicketPayload payload;
    payload.issue = static_cast<uint8_t>(face.issue);
    payload.valid_from = unix_seconds(face.valid_from_us);
    payload.valid_until = std::max(payload.valid_from, unix_seconds(face.valid_until_us));
    payload.ticket_id = face.ticket_id;
    payload.schedule_id = face.schedule_id;
    payload.place = fit_text(face.place);
    payload.place_kind = payload.place.empty() ? PlaceKind::none : face.place_kind;

    auto static_code = signer.issue_code(payload);
    if (!static_code) return std::move(static_code).error();

    auto ticket_key = TicketKeyPair::generate();
    payload.ticket_key = ticket_key.public_key();
    auto signed_ticket = signer.issue_code(payload);
    if (!signed_ticket) return std::move(signed_ticket).error();
    const auto seed = ticket_key.seed();
    return MintedCodes{base45_encode(*signed_ticket), base64url_encode(seed),
                       base45_encode(*static_code), signer.public_key().kid};
}

}  // namespace admit::ticket
