// Reads of payment.payments and the JSON view of a payment. Thread-safe (state lives in
// PostgreSQL).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::payment {

/// One row of payment.payments.
struct PaymentRow {
    std::string id;
    std::string order_id;
    std::string reservation_id;
    std::string user_id;
    std::string provider;
    std::string method;
    int64_t amount = 0;  ///< what we expect: the reservation's total, never the client's figure
    std::string currency;
    std::string status;
    std::string payment_key;
    std::string checkout_url;
    std::optional<int64_t> hold_expires_us;  ///< the reservation's expiresAt at prepare
    std::string fees_revision;               ///< fees.lua revision of the reservation's total
    std::optional<int64_t> approved_amount;  ///< what the provider says it charged
    int64_t refunded_amount = 0;
    std::string failure_code;
    std::string failure_message;
    std::string problem;
    std::optional<int64_t> confirm_started_us;
    std::optional<int64_t> approved_us;
    int64_t created_us = 0;
    int64_t updated_us = 0;

    /// APPROVED, PARTIALLY_REFUNDED or REFUNDED: the provider charged this payment.
    bool charged() const {
        return status == "APPROVED" || status == "PARTIALLY_REFUNDED" || status == "REFUNDED";
    }
    /// Charged, and for a different amount than we asked for.
    bool amount_mismatch() const {
        return charged() && approved_amount && *approved_amount != amount;
    }
};

/// The select list that parse_payments() understands (SELECT and RETURNING).
extern const std::string_view payment_columns;

/// SQL for the host clock's time $n: `timestamptz 'epoch' + $n::bigint * interval '1 microsecond'`.
std::string sql_time(int parameter);

std::vector<PaymentRow> parse_payments(const sdk::Rows& rows);

/// {"amount", "currency"}
boost::json::object money(int64_t amount, const std::string& currency);

/// The API body of a payment.
boost::json::object payment_json(const PaymentRow& row);

/// Filters of a payment list. Empty strings mean "any".
struct PaymentFilter {
    std::string user_id;  ///< the owner (customers see only theirs)
    std::string status;   ///< one status
    bool problems_only = false;
    std::string after;  ///< cursor: the id of the last item of the previous page
    int64_t limit = 50;
};

class PaymentStore {
  public:
    explicit PaymentStore(sdk::Database& db) : db_(db) {}

    sdk::Result<std::optional<PaymentRow>> find(const std::string& id);
    sdk::Result<std::optional<PaymentRow>> find_by_order(const std::string& order_id);
    /// The reservation's payment that is not FAILED (at most one exists).
    sdk::Result<std::optional<PaymentRow>> find_live_for_reservation(
        const std::string& reservation_id);
    /// The charged payment of a reservation (APPROVED, PARTIALLY_REFUNDED or REFUNDED).
    sdk::Result<std::optional<PaymentRow>> find_charged_for_reservation(
        const std::string& reservation_id);
    /// Newest first.
    sdk::Result<std::vector<PaymentRow>> list(const PaymentFilter& filter);

  private:
    sdk::Database& db_;
};

}  // namespace admit::payment
