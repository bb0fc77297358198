// What cancelling a confirmed reservation would refund, as refunds.lua decides it now. One source
// for the cancel itself and for the preview the buyer sees before confirming a cancel, so the two
// can only differ by the time that passes between them (the policy reads the clock).
// Stateless; thread-safe as the host's policy service is.
#pragma once

#include "reservation_store.hpp"

#include <admit/sdk/host.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace admit::reservation {

struct RefundQuote {
    int64_t paid = 0;           ///< the reservation's total, minor units
    int64_t amount = 0;         ///< what a cancel now refunds, clamped to [0, paid]
    int64_t share_percent = 0;  ///< the policy's share, clamped to [0, 100]; 0 when absent
    std::string rule;           ///< the policy's words for the rule that applied
    std::string revision;       ///< the refunds policy revision that decided
    bool fallback = false;      ///< the policy failed and its fallback answered
};

/// Asks refunds.lua about `row` (its total and its performance time; now when the schedule has
/// none). A policy amount outside [0, total] is clamped, never a negative or excess refund. Fails
/// only when the host cannot evaluate the policy at all.
sdk::Result<RefundQuote> quote_refund(const sdk::Host& host, const ReservationRow& row);

/// The API body of a quote: `{reservationId, paid, refund, sharePercent, rule, policyRevision,
/// quotedAt, fallback}`.
boost::json::object refund_quote_json(const ReservationRow& row, const RefundQuote& quote,
                                      int64_t now_us);

}  // namespace admit::reservation
