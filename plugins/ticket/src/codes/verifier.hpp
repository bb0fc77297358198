// Offline verification of a code against a gate kit and a clock: the whole decision a gate
// makes, with no network. Checks, in this order (the first failure is the verdict):
//   malformed       not base45, or the bytes are not a well-formed code (detail says why)
//   unknown_key     no key of the kit has the code's key id (the kit is older than the key)
//   signature       the venue signature, or the window signature of a rotating code, is wrong
//   window          a rotating code whose window is neither the current nor the previous one
//                   (a screenshot), or a static code where the kit does not allow static codes
//   wrong_schedule  a code for another schedule than the kit's
//   cancelled       the kit lists the ticket as cancelled
//   revoked         the kit lists the ticket as revoked, or this code's issue as reissued
//   not_yet_valid   now is before the ticket's or the schedule's valid-from
//   expired         now is after the ticket's or the schedule's valid-until
// Pure function of its inputs (and of the optional VenueSignatureCache, which only skips a venue
// signature check already passed); thread-safe. Cost: one Ed25519 verification for a static
// code, two for a rotating code (none for the refusals before `signature`); with a cache that
// has seen the signed ticket, or a kit that vouches for it (vouched_tickets.hpp), none for a
// static code and one for a rotating code.
#pragma once

#include "gate_kit.hpp"
#include "payload.hpp"
#include "venue_signature_cache.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace admit::ticket {

enum class Reason {
    none,
    malformed,
    unknown_key,
    signature,
    window,
    wrong_schedule,
    cancelled,
    revoked,
    not_yet_valid,
    expired,
};

/// "signature", "wrong_schedule", ... ("" for none).
std::string_view reason_name(Reason reason) noexcept;

/// What a code says about its ticket; filled only once the venue signature verified.
struct TicketFacts {
    TicketPayload payload;
    std::string kid;                 ///< JWK kid of the venue key that signed it
    std::optional<uint32_t> window;  ///< rotating codes: the window it was shown in
};

struct Verdict {
    bool ok = false;
    Reason reason = Reason::none;  ///< Reason::none exactly when ok
    std::string detail;            ///< human text for refusals (empty when ok)
    std::optional<TicketFacts> ticket;
};

/// Verifies a code as shown in a QR code (base45 text). `cache` (may be null, not owned): venue
/// signatures already verified (venue_signature_cache.hpp); a verified one is remembered there.
Verdict verify(std::string_view code_text, const GateKit& kit, int64_t now,
               VenueSignatureCache* cache = nullptr);
/// Same for the code's bytes.
Verdict verify_bytes(std::span<const uint8_t> code, const GateKit& kit, int64_t now,
                     VenueSignatureCache* cache = nullptr);

/// {"admitted": bool, "reason": "window" | null, "detail": "...", "ticket": {...} | null} with
/// the ticket's ticketId, scheduleId, seat or grade, issue, validFrom, validUntil (RFC 3339),
/// kid, kind ("static" | "rotating") and window.
boost::json::object verdict_json(const Verdict& verdict);

}  // namespace admit::ticket
