#include "ledger.hpp"

#include <fmt/format.h>

#include "ids.hpp"

namespace admit::paysim {

std::string_view status_name(PaymentStatus status) {
    switch (status) {
        case PaymentStatus::in_progress:
            return "IN_PROGRESS";
        case PaymentStatus::done:
            return "DONE";
        case PaymentStatus::canceled:
            return "CANCELED";
        case PaymentStatus::partial_canceled:
            return "PARTIAL_CANCELED";
        case PaymentStatus::aborted:
            return "ABORTED";
    }
    return "UNKNOWN";
}

std::optional<PaymentStatus> status_from_name(std::string_view name) {
    for (auto s : {PaymentStatus::in_progress, PaymentStatus::done, PaymentStatus::canceled,
                   PaymentStatus::partial_canceled, PaymentStatus::aborted}) {
        if (status_name(s) == name) return s;
    }
    return std::nullopt;
}

namespace {

Outcome error(int status, std::string code, std::string message) {
    return Outcome{status, std::nullopt, std::move(code), std::move(message)};
}

}  // namespace

Ledger::Ledger(Listener on_change) : on_change_(std::move(on_change)) {}

void Ledger::changed(Payment& p, int64_t now_ms) {
    p.updated_at_ms = now_ms;
    ++p.version;
    if (on_change_) on_change_(p);
}

ApproveResult Ledger::approve(const std::string& order_id, int64_t amount,
                              const std::string& order_name) {
    std::lock_guard lock(mutex_);
    if (auto it = by_order_.find(order_id); it != by_order_.end()) {
        const Payment& existing = payments_[it->second];
        if (existing.status == PaymentStatus::in_progress && existing.amount == amount) {
            return ApproveResult{true, false, existing.payment_key, 200, {}, {}};
        }
        if (existing.status != PaymentStatus::aborted) {
            return ApproveResult{
                false,
                false,
                {},
                409,
                "DUPLICATED_ORDER_ID",
                fmt::format("order {} already has payment {} ({}, amount {})", order_id,
                            existing.payment_key, status_name(existing.status), existing.amount)};
        }
    }
    Payment p;
    do {
        p.payment_key = random_id("tsim_", 40);
    } while (by_key_.count(p.payment_key));
    p.order_id = order_id;
    p.order_name = order_name;
    p.amount = amount;
    p.status = PaymentStatus::in_progress;
    p.requested_at_ms = now_unix_ms();
    p.last_transaction_key = random_hex_key();
    std::size_t index = payments_.size();
    payments_.push_back(std::move(p));
    by_key_[payments_[index].payment_key] = index;
    by_order_[order_id] = index;
    changed(payments_[index], payments_[index].requested_at_ms);
    return ApproveResult{true, true, payments_[index].payment_key, 200, {}, {}};
}

Outcome Ledger::confirm(const std::string& payment_key, const std::string& order_id, int64_t amount,
                        bool decline) {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(payment_key);
    if (it == by_key_.end()) {
        return error(404, "NOT_FOUND_PAYMENT", "no payment with this paymentKey");
    }
    Payment& p = payments_[it->second];
    if (p.order_id != order_id) {
        return error(400, "INVALID_REQUEST",
                     "orderId does not match the order this paymentKey was approved for");
    }
    if (p.status != PaymentStatus::in_progress) {
        return error(
            400, "ALREADY_PROCESSED_PAYMENT",
            fmt::format("payment is already processed (status {})", status_name(p.status)));
    }
    if (p.amount != amount) {
        return error(400, "INVALID_REQUEST",
                     fmt::format("amount {} does not match the amount the buyer approved ({})",
                                 amount, p.amount));
    }
    int64_t now = now_unix_ms();
    p.last_transaction_key = random_hex_key();
    if (decline) {
        p.status = PaymentStatus::aborted;
        p.failure_code = "REJECT_CARD_PAYMENT";
        p.failure_message = "card declined: limit exceeded or insufficient balance (simulated)";
        changed(p, now);
        return error(403, p.failure_code, p.failure_message);
    }
    p.status = PaymentStatus::done;
    p.charged = p.amount;
    p.approved_at_ms = now;
    changed(p, now);
    return Outcome{200, p, {}, {}};
}

Outcome Ledger::cancel(const std::string& payment_key, const std::string& reason,
                       std::optional<int64_t> amount) {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(payment_key);
    if (it == by_key_.end()) {
        return error(404, "NOT_FOUND_PAYMENT", "no payment with this paymentKey");
    }
    Payment& p = payments_[it->second];
    if (p.status == PaymentStatus::canceled) {
        return error(400, "ALREADY_CANCELED_PAYMENT", "payment is already fully canceled");
    }
    if (p.status != PaymentStatus::done && p.status != PaymentStatus::partial_canceled) {
        return error(403, "NOT_CANCELABLE_PAYMENT",
                     fmt::format("payment cannot be canceled (status {})", status_name(p.status)));
    }
    int64_t balance = p.charged - p.refunded;
    int64_t cancel_amount = amount.value_or(balance);
    if (cancel_amount <= 0 || cancel_amount > balance) {
        return error(403, "NOT_CANCELABLE_AMOUNT",
                     fmt::format("cancelAmount {} exceeds the cancelable balance {}", cancel_amount,
                                 balance));
    }
    int64_t now = now_unix_ms();
    p.refunded += cancel_amount;
    p.last_transaction_key = random_hex_key();
    p.cancels.push_back(
        CancelRecord{cancel_amount, reason, now, p.last_transaction_key, p.charged - p.refunded});
    p.status = p.refunded == p.charged ? PaymentStatus::canceled : PaymentStatus::partial_canceled;
    changed(p, now);
    return Outcome{200, p, {}, {}};
}

std::optional<Payment> Ledger::find(const std::string& payment_key) const {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(payment_key);
    if (it == by_key_.end()) return std::nullopt;
    return payments_[it->second];
}

std::optional<Payment> Ledger::find_by_order(const std::string& order_id) const {
    std::lock_guard lock(mutex_);
    auto it = by_order_.find(order_id);
    if (it == by_order_.end()) return std::nullopt;
    return payments_[it->second];
}

std::vector<Payment> Ledger::all() const {
    std::lock_guard lock(mutex_);
    return std::vector<Payment>(payments_.begin(), payments_.end());
}

LedgerTotals Ledger::totals() const {
    std::lock_guard lock(mutex_);
    LedgerTotals t;
    t.payments = payments_.size();
    for (const auto& p : payments_) {
        t.charged += p.charged;
        t.refunded += p.refunded;
    }
    return t;
}

void Ledger::restore(Payment payment) {
    std::lock_guard lock(mutex_);
    if (auto it = by_key_.find(payment.payment_key); it != by_key_.end()) {
        payments_[it->second] = std::move(payment);
        return;
    }
    std::size_t index = payments_.size();
    by_key_[payment.payment_key] = index;
    by_order_[payment.order_id] = index;
    payments_.push_back(std::move(payment));
}

}  // namespace admit::paysim
