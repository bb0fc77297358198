// The waiting room's gate on POST /api/v1/reservations: when the schedule is queued
// (product.sale_context says queueRequired), the request must carry a valid X-Entry-Token
// (issued by the queue plugin on admission, bound to the user and the schedule). The check is the
// queue plugin's service queue.check_entry, an in-process call that verifies the token locally
// (signature, expiry, binding, deny list): no network round trip on the hot path.
#pragma once

#include "sale_context.hpp"

#include <admit/sdk.hpp>

#include <optional>

namespace admit::reservation {

/// nullopt: the hold may proceed (the schedule is not queued, or the token is valid; a body
/// without a string scheduleId, or a schedule the catalog cannot answer for, passes here and gets
/// its 400/404/503 from the hold route). Otherwise the answer to send: 403 ENTRY_REQUIRED
/// (missing, forged, expired, revoked, or another user's or schedule's token), or 503 when the
/// check could not be made (no queue plugin loaded: fails closed). Thread-safe.
std::optional<sdk::Response> check_entry(const sdk::Host& host, SaleContextCache& contexts,
                                         const sdk::Request& request);

}  // namespace admit::reservation
