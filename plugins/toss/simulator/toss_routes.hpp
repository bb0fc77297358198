// The Toss Payments v1 API subset: confirm, cancel, query by paymentKey and by orderId, with
// Basic auth, Idempotency-Key and the latency/decline/timeout knobs (README "API").
#pragma once

#include "http_types.hpp"

namespace admit::paysim {

class Simulator;

// Handles every path under /v1/. Thread-safe.
SimReply handle_toss(Simulator& sim, const SimRequest& request);

}  // namespace admit::paysim
