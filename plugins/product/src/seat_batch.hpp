// SeatBatch: what one delivery transaction of the reservation.* subscriber has seen, so that a
// batch of events costs a few statements instead of a few per event.
//
// The host delivers a subscriber's ready events several to a transaction (events'
// delivery_batch); in a sale they are almost all reservation.held of one schedule. Per event the
// subscriber used to lock the schedule row, write the seats or the general-admission hold, update
// the grade counters (the same row 64 times a batch), ask Redis to apply the change and publish
// SSE frames: about 0.7 ms an event, serially per schedule, so the seat map showed the 1,000th
// seat of a sale 0.7 s after its 201 (issue 21).
//
// Here:
//   - schedule(): each schedule row is locked (SELECT ... FOR UPDATE) once per transaction and
//     its product and seating remembered;
//   - add_held(): a reservation.held is only remembered; flush() writes every remembered hold of
//     a schedule with one statement (seat states or general-admission holds, and the grade
//     counters once per grade) and, once the transaction committed, applies the whole change to
//     Redis once and publishes one "seat" frame and one "stock" frame per grade;
//   - the subscriber flushes before handling any other event (a release or a confirmation must
//     see the holds before it), and the host runs the last flush before COMMIT (ABI 1.4
//     before_commit), so the result is the one the events would give one by one, in order.
// A rolled-back transaction leaves nothing: the host delivers its events again, and what was
// gathered for it is forgotten when it ends (sdk::TransactionState).
//
// Thread-safety: what a transaction gathered lives on the thread running it
// (sdk::TransactionState); several delivery threads may use one SeatBatch at once.
#pragma once

#include "seat_change.hpp"
#include "seat_map.hpp"

#include <admit/sdk.hpp>
#include <admit/sdk/transaction_state.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace admit::product {

/// The product and seating of a schedule whose row the open transaction locked.
struct LockedSchedule {
    std::string product_id;
    bool reserved = false;  ///< RESERVED seating (else general admission)
};

class SeatBatch {
  public:
    /// `publish` applies a committed change to the seat map and streams it (it runs after the
    /// commit, on the transaction's thread).
    SeatBatch(admit::sdk::Host& host, std::function<void(const SeatChange&)> publish)
        : gathered_(host.handle(),
                    [this](admit::sdk::Tx& tx, Gathered& gathered) { return write(tx, gathered); }),
          publish_(std::move(publish)) {}

    /// Locks `schedule_id`'s row in `tx` (once per transaction) and returns its product and
    /// seating; nullopt for an unknown schedule.
    admit::sdk::Result<std::optional<LockedSchedule>> schedule(admit::sdk::Tx& tx,
                                                               const std::string& schedule_id);

    /// Remembers a reservation.held of a schedule that schedule() locked: `seat_ids` for reserved
    /// seating, `grade_id` and `quantity` for general admission. Written by the next flush().
    admit::sdk::Status add_held(admit::sdk::Tx& tx, const std::string& schedule_id,
                                const std::string& reservation_id,
                                std::vector<std::string> seat_ids, const std::string& grade_id,
                                int64_t quantity);

    /// Writes what add_held() remembered in this transaction, in one statement per schedule, and
    /// registers its publication after the commit. Nothing remembered: nothing done.
    admit::sdk::Status flush(admit::sdk::Tx& tx);

    /// Registers `change` to be published after `tx` commits (for the one-event path), after what
    /// the earlier flushes of the transaction registered.
    admit::sdk::Status publish_after_commit(admit::sdk::Tx& tx, SeatChange change);

  private:
    struct PendingHold {
        std::string reservation_id;
        std::vector<std::string> seat_ids;  ///< reserved seating
        std::string grade_id;               ///< general admission
        int64_t quantity = 0;               ///< general admission
    };
    struct PendingSchedule {
        LockedSchedule schedule;
        std::vector<PendingHold> holds;  ///< in delivery order
    };
    /// What one transaction gathered.
    struct Gathered {
        std::map<std::string, LockedSchedule> locked;
        std::map<std::string, PendingSchedule> pending;
    };
    /// Writes what `gathered` holds of pending holds and forgets them.
    admit::sdk::Status write(admit::sdk::Tx& tx, Gathered& gathered);

    admit::sdk::Result<SeatChange> write_reserved(admit::sdk::Tx& tx,
                                                  const std::string& schedule_id,
                                                  const PendingSchedule& pending);
    admit::sdk::Result<SeatChange> write_general(admit::sdk::Tx& tx, const std::string& schedule_id,
                                                 const PendingSchedule& pending);

    admit::sdk::TransactionState<Gathered> gathered_;
    std::function<void(const SeatChange&)> publish_;
};

}  // namespace admit::product
