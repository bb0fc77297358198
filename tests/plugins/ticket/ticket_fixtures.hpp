// Shared test data for the ticket code tests: a venue with its key and gate kit, payloads, and
// codes made with the library the way the ticket plugin and the app will make them.
#pragma once

#include "codes/base45.hpp"
#include "codes/gate_kit.hpp"
#include "codes/payload.hpp"
#include "codes/rotating_code.hpp"
#include "codes/venue_key.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace admit::ticket::testing {

inline constexpr int64_t kDoorsOpen = 1'800'000'000;  // the schedule's gate opens
inline constexpr int64_t kDoorsClose = kDoorsOpen + 6 * 3600;
inline constexpr int64_t kNow = kDoorsOpen + 3600;  // a scan during the evening
inline const std::string kScheduleId = "sch_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
inline const std::string kOtherScheduleId = "sch_ffeeddccbbaa99887766554433221100";
inline const std::string kTicketId = "tkt_00112233445566778899aabbccddeeff";

/// A payload for seat "A-1-12" of kScheduleId, valid for the whole evening.
TicketPayload sample_payload(std::optional<PublicKeyBytes> ticket_key = std::nullopt);

/// A kit for kScheduleId listing `key` (and no revocations).
GateKit kit_for(const VenuePublicKey& key, bool static_codes_allowed = false);

/// base45 text of a static code signed by `key`.
std::string static_code(const VenueSigningKey& key, const TicketPayload& payload);

/// base45 text of a rotating code: `ticket`'s signed ticket (signed by `key`) shown at `shown_at`.
std::string rotating_code(const VenueSigningKey& key, const TicketKeyPair& ticket, int64_t shown_at,
                          TicketPayload payload = sample_payload());

}  // namespace admit::ticket::testing
