// PendingVoids: gives back the tickets of a cancellation that never happened. The refund guard
// voids a reservation's tickets in one transaction and the reservation plugin cancels the
// reservation in another; when the second never commits (its process was killed in between, or
// it refused the cancellation), the void stays pending (ticket.pending_voids) while the order is
// still paid. Trap avoided: a paid, CONFIRMED order left with nothing but cancelled tickets
// (found by scripts/chaos when every instance was killed during cancellations).
// A pass asks the reservation plugin (service reservation.get) about every void older than the
// grace period: still CONFIRMED -> its tickets are ISSUED again (TicketIssuer::restore_voided);
// CANCELLED -> left for reservation.cancelled, which settles it. Thread-safe (no state).
#pragma once

#include "ticket_issuer.hpp"

#include <admit/sdk.hpp>

#include <chrono>
#include <cstddef>

namespace admit::ticket {

class PendingVoids {
  public:
    /// `host` and `issuer` must outlive this object.
    PendingVoids(sdk::Host& host, TicketIssuer& issuer, std::chrono::milliseconds grace)
        : host_(host), issuer_(issuer), grace_(grace) {}

    /// One pass over at most `limit` voids older than the grace period; returns how many
    /// reservations got their tickets back. An unanswered reservation.get ends the pass with its
    /// error (the next pass retries).
    sdk::Result<std::size_t> settle(std::size_t limit);

  private:
    sdk::Host& host_;
    TicketIssuer& issuer_;
    std::chrono::milliseconds grace_;
};

}  // namespace admit::ticket
