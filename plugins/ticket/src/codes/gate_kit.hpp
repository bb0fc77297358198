// The gate kit: everything an offline gate needs to verify codes of one schedule with nothing
// but a clock (GET /api/v1/schedules/{id}/gate-kit returns it; admit-gate reads it from a file).
//
//   {"kitVersion": 1, "issuedAt": RFC3339,
//    "schedule": {"scheduleId", "title"?, "validFrom": RFC3339, "validUntil": RFC3339,
//                 "staticCodesAllowed": bool,
//                 "reentry"?: "NONE" | "ONCE_PER_DAY" | "AFTER_EXIT",   // absent: NONE
//                 "utcOffsetMinutes"?: int, "dayStartsAtHour"?: int},    // what a day is
//    "keys": [JWK with "admit_use": "ticket", ...],    // every venue key that still verifies
//    "revoked": [{"ticketId", "reason": "cancelled" | "revoked"},
//                {"ticketId", "reason": "reissued", "validIssue": n}],   // issues < n revoked
//    "vouched"?: [base64url digest, ...]}   // signed tickets vouched for (vouched_tickets.hpp)
//
// GateKit is an immutable value after parsing; concurrent reads are safe.
#pragma once

#include "venue_key.hpp"
#include "vouched_tickets.hpp"

#include <admit/sdk/result.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace admit::ticket {

inline constexpr int64_t kGateKitVersion = 1;

/// Why a ticket's codes are refused. `reissued`: codes whose issue is below valid_issue.
struct Revocation {
    enum class Kind { cancelled, revoked, reissued };
    Kind kind = Kind::revoked;
    uint8_t valid_issue = 0;
};

struct GateKit {
    int64_t issued_at = 0;  ///< unix seconds; a gate shows how old its kit is
    std::string schedule_id;
    std::string title;
    int64_t valid_from = 0;             ///< the gate admits from (unix seconds) ...
    int64_t valid_until = 0;            ///< ... until (inclusive)
    bool static_codes_allowed = false;  ///< venue policy: printed (static) codes admitted
    /// The schedule's re-entry rule (checkin policy): "NONE", "ONCE_PER_DAY" or "AFTER_EXIT".
    /// A gate applies it to its own journal; it cannot see other gates' scans.
    std::string reentry = "NONE";
    int utc_offset_minutes = 0;  ///< -840..840: the venue's offset, for ONCE_PER_DAY
    int day_starts_at_hour = 0;  ///< 0..23: the venue-local hour a day begins
    std::vector<VenuePublicKey> keys;
    std::unordered_map<std::string, Revocation> revoked;  ///< by ticket id
    /// Signed tickets whose venue signature the gate need not check (empty: check every one).
    VouchedTickets vouched;

    /// The keys whose short id is `id` (normally one; more only on a 32-bit collision).
    std::vector<const VenuePublicKey*> keys_with(const ShortKeyId& id) const;
};

boost::json::object gate_kit_json(const GateKit& kit);

/// The venue-local day number of `unix_seconds` under the kit's offset and day start (the same
/// arithmetic as the server's CheckinRule::day_of).
int64_t kit_day_of(const GateKit& kit, int64_t unix_seconds) noexcept;

/// Parses and checks a kit: known kitVersion, every field present with its type, RFC 3339
/// times, valid JWKs (keys that are not ticket keys, is_ticket_jwk(), are skipped, so a kit may
/// carry a whole JWKS), at least one ticket key, known revocation reasons, well-formed vouched
/// digests (the field is optional).
/// ADMIT_E_INVALID_ARGUMENT naming the field otherwise.
sdk::Result<GateKit> parse_gate_kit(std::string_view json_text);
sdk::Result<GateKit> gate_kit_from_json(const boost::json::value& json);

}  // namespace admit::ticket
