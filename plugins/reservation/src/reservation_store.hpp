// Reads of reservation.reservations and the JSON view of a reservation. Thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::reservation {

/// One row of reservation.reservations.
struct ReservationRow {
    std::string id;
    std::string user_id;
    std::string schedule_id;
    std::string product_id;
    bool general_admission = false;
    std::string grade_id;
    int64_t quantity = 0;
    std::vector<std::string> claim_ids;
    boost::json::value items;
    std::string status;
    std::string status_reason;
    int64_t fencing_token = 0;
    std::string idempotency_key;
    int64_t expires_us = 0;
    std::optional<int64_t> starts_us;
    int64_t subtotal = 0;
    int64_t fees = 0;
    int64_t total = 0;
    std::string currency;
    std::optional<int64_t> refund;
    std::string payment_id;
    /// Set while a payment confirmation protects the hold past expires_us (extend_for_payment).
    std::optional<int64_t> payment_hold_us;
    boost::json::value policy_revisions;
    int64_t created_us = 0;

    /// Seat ids for reserved seating, [] for general admission.
    std::vector<std::string> seat_ids() const {
        return general_admission ? std::vector<std::string>{} : claim_ids;
    }
};

/// The select list that parse_rows() understands (use in SELECT and RETURNING).
extern const std::string_view reservation_columns;

/// Rows selected with reservation_columns.
std::vector<ReservationRow> parse_rows(const sdk::Rows& rows);

/// The API body of a reservation.
boost::json::object reservation_json(const ReservationRow& row);

/// {"amount", "currency"}
boost::json::object money(int64_t amount, const std::string& currency);

class ReservationStore {
  public:
    explicit ReservationStore(sdk::Database& db) : db_(db) {}

    sdk::Result<std::optional<ReservationRow>> find(const std::string& id);
    sdk::Result<std::optional<ReservationRow>> find_by_idempotency_key(const std::string& user_id,
                                                                       const std::string& key);
    /// Newest first; `after` is the id of the last item of the previous page (empty: first page).
    sdk::Result<std::vector<ReservationRow>> list_for_user(const std::string& user_id,
                                                           int64_t limit, const std::string& after);

    /// Bumps the fencing epoch in PostgreSQL and returns the new value.
    sdk::Result<int64_t> bump_epoch();

    /// Live claims of a schedule: (claim id, reservation id, SOLD?, grade id, expires_us).
    struct LiveClaim {
        std::string claim_id;
        std::string reservation_id;
        bool sold = false;
        std::string grade_id;
        int64_t expires_us = 0;
    };
    sdk::Result<std::vector<LiveClaim>> live_claims(const std::string& schedule_id);
    /// Tickets held or bought per user for a schedule.
    sdk::Result<std::vector<std::pair<std::string, int64_t>>> owned_per_user(
        const std::string& schedule_id);

  private:
    sdk::Database& db_;
};

}  // namespace admit::reservation
