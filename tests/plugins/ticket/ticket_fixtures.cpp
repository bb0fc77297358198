#include "ticket_fixtures.hpp"

#include "codes/init.hpp"

#include <gtest/gtest.h>

namespace admit::ticket::testing {

TicketPayload sample_payload(std::optional<PublicKeyBytes> ticket_key) {
    TicketPayload payload;
    payload.ticket_id = kTicketId;
    payload.schedule_id = kScheduleId;
    payload.place_kind = PlaceKind::seat;
    payload.place = "A-1-12";
    payload.valid_from = static_cast<uint32_t>(kDoorsOpen);
    payload.valid_until = static_cast<uint32_t>(kDoorsClose);
    payload.ticket_key = ticket_key;
    return payload;
}

GateKit kit_for(const VenuePublicKey& key, bool static_codes_allowed) {
    GateKit kit;
    kit.issued_at = kDoorsOpen - 86400;
    kit.schedule_id = kScheduleId;
    kit.title = "Winter Gala";
    kit.valid_from = kDoorsOpen;
    kit.valid_until = kDoorsClose;
    kit.static_codes_allowed = static_codes_allowed;
    kit.keys.push_back(key);
    return kit;
}

std::string static_code(const VenueSigningKey& key, const TicketPayload& payload) {
    const auto bytes = key.issue_code(payload);
    EXPECT_TRUE(bytes.ok()) << (bytes ? "" : bytes.error().message);
    return bytes ? base45_encode(*bytes) : std::string();
}

std::string rotating_code(const VenueSigningKey& key, const TicketKeyPair& ticket, int64_t shown_at,
                          TicketPayload payload) {
    payload.ticket_key = ticket.public_key();
    const auto signed_ticket = key.issue_code(payload);
    EXPECT_TRUE(signed_ticket.ok());
    if (!signed_ticket) return {};
    const auto code = ticket.rotating_code(*signed_ticket, shown_at);
    EXPECT_TRUE(code.ok()) << (code ? "" : code.error().message);
    return code ? base45_encode(*code) : std::string();
}

}  // namespace admit::ticket::testing

// The suite's main: it initialises the library explicitly, as init.hpp asks of every user.
int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (!admit::ticket::init_ticket_codes()) return 1;
    return RUN_ALL_TESTS();
}
