// Operator and test endpoints: POST /sim/approve (the Approve button without a browser),
// GET /sim/ledger, GET /sim/stats, GET and POST /sim/config, GET /healthz. Unauthenticated:
// the simulator listens on loopback by default.
#pragma once

#include "http_types.hpp"

namespace admit::paysim {

class Simulator;

SimReply handle_sim(Simulator& sim, const SimRequest& request);  // thread-safe

}  // namespace admit::paysim
