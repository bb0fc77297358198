// The ticket lifecycle writes: issue on reservation.confirmed, reissue by the owner, cancel with
// a reservation or a product, expire after the performance. Each is one transaction holding the
// state change and its events (ticket.issued, ticket.reissued, ticket.cancelled, ticket.expired),
// and each state change is a conditional statement, so concurrent or repeated calls change a
// ticket at most once. Thread-safe (the keys are immutable once loaded).
#pragma once

#include "schedule_directory.hpp"
#include "ticket_store.hpp"
#include "venue_keys.hpp"

#include <admit/sdk.hpp>

#include <string>
#include <vector>

namespace admit::ticket {

/// A refusal a route shows as is (status, API code, message).
struct Refusal {
    int http_status = 409;
    std::string code;
    std::string message;
};

class TicketIssuer {
  public:
    TicketIssuer(sdk::Host& host, const VenueKeys& keys, ScheduleDirectory& schedules)
        : host_(host), keys_(keys), schedules_(schedules) {}

    /// reservation.confirmed (handled after a reservation.cancelled of the same reservation:
    /// the tickets are born CANCELLED, with the cancellation's reason, and not announced):
    /// one ticket per seat (unit key = seat id) or GA unit (unit key
    /// "<gradeId>#<n>", n = 1..quantity), inside the subscriber's transaction. A redelivered
    /// event inserts nothing (UNIQUE (reservation_id, unit_key)) and publishes nothing.
    /// Returns how many tickets were issued.
    sdk::Result<std::size_t> issue_confirmed(sdk::Tx& tx, const boost::json::object& event);

    /// The owner's reissue: new issue number, new ticket key and codes; every older code is
    /// revoked. 404 for an unknown ticket or another owner's, 409 INVALID_STATE unless ISSUED.
    /// `refusal` is filled (and the Result is ok with nullopt) for refusals.
    sdk::Result<std::optional<TicketRow>> reissue(const std::string& ticket_id,
                                                  const std::string& owner, Refusal& refusal);

    /// ISSUED tickets of a reservation, and those void_for_cancel voided for this cancellation,
    /// -> CANCELLED (reason, ticket.cancelled), inside `tx`; the pending void is settled and the
    /// cancellation recorded (ticket.cancelled_reservations), so that tickets of a confirmation
    /// handled later are born CANCELLED. Repeating it is harmless.
    sdk::Status cancel_reservation(sdk::Tx& tx, const std::string& reservation_id,
                                   const std::string& reason, const std::string& actor);
    /// The refund guard of a buyer's cancellation (service ticket.void_reservation), in its own
    /// transaction BEFORE the reservation is cancelled and refunded: locks the reservation's
    /// tickets; when one was admitted at a gate (USED) nothing changes and `refusal` is filled
    /// (409 TICKET_USED, naming the ticket, gate and time): an admitted ticket is never refunded;
    /// otherwise every ISSUED ticket -> CANCELLED (CANCEL_REQUESTED, not announced), so a
    /// check-in that comes after is refused, and the void is recorded as pending
    /// (ticket.pending_voids): reservation.cancelled settles it (cancel_reservation), and a void
    /// whose cancellation never committed is given back (restore_voided). Returns how many were
    /// voided (0 when none is issued yet: reservation.cancelled cancels those once issued).
    /// Repeating it is harmless.
    sdk::Result<std::size_t> void_for_cancel(const std::string& reservation_id,
                                             const std::string& actor, Refusal& refusal);
    /// A pending void recorded before `voided_before_us` whose reservation the caller found
    /// still CONFIRMED: its CANCEL_REQUESTED tickets -> ISSUED and the record dropped, unless
    /// the reservation's cancellation was handled meanwhile (then only the record goes).
    /// Returns how many tickets were given back.
    sdk::Result<std::size_t> restore_voided(const std::string& reservation_id,
                                            int64_t voided_before_us);
    /// ISSUED tickets of the schedules -> CANCELLED (PRODUCT_CANCELLED), inside `tx`; the
    /// schedules are marked cancelled so tickets confirmed later are born cancelled.
    sdk::Status cancel_schedules(sdk::Tx& tx, const std::vector<std::string>& schedule_ids,
                                 const std::string& actor);
    /// ISSUED tickets whose valid_until has passed -> EXPIRED, at most `limit` per call.
    sdk::Result<std::size_t> expire_due(std::size_t limit);

  private:
    /// Takes the transaction-scoped lock that serializes the issue and the cancellation of one
    /// reservation (held until `tx` ends).
    sdk::Status lock_reservation(sdk::Tx& tx, const std::string& reservation_id);
    sdk::Status publish_cancelled(sdk::Tx& tx, const std::vector<TicketRow>& rows,
                                  const std::string& actor);

    sdk::Host& host_;
    const VenueKeys& keys_;
    ScheduleDirectory& schedules_;
};

/// The common fields of a ticket event.
boost::json::object ticket_event(const TicketRow& row);

}  // namespace admit::ticket
