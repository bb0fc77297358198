// Inventory: follows reservation.* so the admission tick knows what is left without asking
// anyone. Live holds (units, expiry) in queue.holds, sold units in queue.sales; a hold made by an
// admitted user marks that place converted (the measured conversion the policy sees). Runs in
// the event's transaction (handled once per event by the host).
#pragma once

#include <admit/sdk.hpp>

namespace admit::queue {

/// The subscriber body for one reservation.* event.
sdk::Status follow_reservation(sdk::Tx& tx, const sdk::Event& event);

}  // namespace admit::queue
