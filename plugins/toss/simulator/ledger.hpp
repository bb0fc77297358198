// Ledger: every payment the simulator knows, in memory, indexed by paymentKey and by orderId.
// Money is integer minor units (KRW). Invariant per payment: 0 <= refunded <= charged <= amount.
//
// Thread-safety: all members are safe to call concurrently (one mutex). The change listener runs
// under that mutex, in change order, so it must be cheap and must not call back into the ledger
// (the journal and the webhook sender only enqueue).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace admit::paysim {

enum class PaymentStatus { in_progress, done, canceled, partial_canceled, aborted };
std::string_view status_name(PaymentStatus status);
std::optional<PaymentStatus> status_from_name(std::string_view name);

struct CancelRecord {
    int64_t amount = 0;
    std::string reason;
    int64_t at_ms = 0;
    std::string transaction_key;
    int64_t refundable_after = 0;  // balance left after this cancel
};

struct Payment {
    std::string payment_key;
    std::string order_id;
    std::string order_name;
    int64_t amount = 0;  // what the buyer approved at checkout
    PaymentStatus status = PaymentStatus::in_progress;
    int64_t charged = 0;
    int64_t refunded = 0;
    int64_t requested_at_ms = 0;
    int64_t approved_at_ms = 0;  // 0: not approved
    int64_t updated_at_ms = 0;
    std::string last_transaction_key;
    std::string failure_code;  // set when ABORTED
    std::string failure_message;
    std::vector<CancelRecord> cancels;
    uint64_t version = 0;  // +1 on every change
};

// The result of a confirm or cancel: the HTTP status, and either the payment (success) or a
// Toss error code and message.
struct Outcome {
    int http_status = 200;
    std::optional<Payment> payment;
    std::string code;
    std::string message;
};

struct ApproveResult {
    bool ok = false;
    bool created = false;  // false: an IN_PROGRESS payment for the same order and amount
    std::string payment_key;
    int http_status = 200;
    std::string code;
    std::string message;
};

struct LedgerTotals {
    std::size_t payments = 0;
    int64_t charged = 0;
    int64_t refunded = 0;
};

class Ledger {
  public:
    using Listener = std::function<void(const Payment&)>;
    explicit Ledger(Listener on_change);

    // The buyer approved at checkout: creates an IN_PROGRESS payment. An IN_PROGRESS payment of
    // the same order and amount is returned again; a paid order or a different amount is a
    // 409 DUPLICATED_ORDER_ID; an ABORTED order may be paid again (new paymentKey).
    ApproveResult approve(const std::string& order_id, int64_t amount,
                          const std::string& order_name);
    // POST /v1/payments/confirm. `decline` is the chaos decision, applied only when the payment
    // would otherwise be charged.
    Outcome confirm(const std::string& payment_key, const std::string& order_id, int64_t amount,
                    bool decline);
    // POST /v1/payments/{paymentKey}/cancel; no amount: the whole balance.
    Outcome cancel(const std::string& payment_key, const std::string& reason,
                   std::optional<int64_t> amount);

    std::optional<Payment> find(const std::string& payment_key) const;
    std::optional<Payment> find_by_order(const std::string& order_id) const;  // the latest
    std::vector<Payment> all() const;                                         // in creation order
    LedgerTotals totals() const;

    // Journal replay at start: inserts or replaces a payment without calling the listener.
    void restore(Payment payment);

  private:
    void changed(Payment& p, int64_t now_ms);

    mutable std::mutex mutex_;
    Listener on_change_;
    std::deque<Payment> payments_;  // creation order (a deque: growing never moves payments)
    std::unordered_map<std::string, std::size_t> by_key_;
    std::unordered_map<std::string, std::size_t> by_order_;  // latest payment of the order
};

}  // namespace admit::paysim
