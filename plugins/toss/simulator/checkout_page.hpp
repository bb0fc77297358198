// The buyer's checkout page: GET /checkout shows the order with Approve and Decline buttons
// (plain HTML forms, no script, no external resources, strict CSP); POST /checkout/approve
// creates the IN_PROGRESS payment and redirects (303) to successUrl with paymentKey, orderId and
// amount; POST /checkout/decline redirects to failUrl with code, message and orderId.
#pragma once

#include "http_types.hpp"

namespace admit::paysim {

class Simulator;

SimReply handle_checkout(Simulator& sim, const SimRequest& request);  // thread-safe

}  // namespace admit::paysim
