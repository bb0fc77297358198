// PaymentLedger: every state change of a payment and of its refunds, each one conditional UPDATE
// (or INSERT) plus its outbox event inside the caller's transaction, so a change and its event
// commit together or not at all. Functions answer the changed row, or nullopt when the row was
// not in a state the transition starts from (someone else moved it first: the caller reloads).
// Thread-safe (no state of its own).
#pragma once

#include "payment_store.hpp"

#include <admit/sdk.hpp>

namespace admit::payment {

/// A refund decision (one row of payment.refunds).
struct RefundRequest {
    int64_t amount = 0;
    std::string reason;  ///< BUYER_CANCELLED, PRODUCT_CANCELLED, HOLD_LOST, AMOUNT_MISMATCH, STAFF
    std::string cause;   ///< unique per decision: a repeated decision requests nothing new
    std::string note;
    std::string policy_revision;
    std::string actor;
};

class PaymentLedger {
  public:
    explicit PaymentLedger(const sdk::Host& host) : host_(host) {}

    using Changed = sdk::Result<std::optional<PaymentRow>>;

    /// READY -> IN_PROGRESS with the provider's payment key (no event: nothing happened yet).
    Changed start_confirm(sdk::Tx& tx, const std::string& id, const std::string& payment_key);
    /// IN_PROGRESS -> READY: the confirm request certainly never reached the provider.
    Changed back_to_ready(sdk::Tx& tx, const std::string& id);
    /// READY | IN_PROGRESS | UNKNOWN -> APPROVED with what the provider charged; publishes
    /// payment.approved. A charge of another amount than ours also requests its full refund
    /// (AMOUNT_MISMATCH) in the same transaction.
    Changed approve(sdk::Tx& tx, const std::string& id, int64_t approved_amount,
                    const std::string& payment_key, std::optional<int64_t> approved_us,
                    const std::string& source);
    /// READY | IN_PROGRESS | UNKNOWN -> FAILED; publishes payment.failed.
    Changed fail(sdk::Tx& tx, const std::string& id, const std::string& code,
                 const std::string& message, const std::string& actor);
    /// IN_PROGRESS -> UNKNOWN (the provider did not answer); publishes payment.unknown.
    Changed mark_unknown(sdk::Tx& tx, const std::string& id);

    /// Keeps one provider exchange in payment.logs.
    sdk::Status log(sdk::Tx& tx, const std::string& payment_id, std::string_view operation,
                    std::string_view outcome, const boost::json::value& exchange);

    /// Records a refund decision (PENDING) and enqueues job execute_refund for it, unless a
    /// refund with the same cause exists. Answers the new refund's id, or nullopt.
    sdk::Result<std::optional<std::string>> request_refund(sdk::Tx& tx, const PaymentRow& payment,
                                                           const RefundRequest& request);
    /// PENDING -> DONE; the payment's refunded amount grows and it becomes PARTIALLY_REFUNDED or
    /// REFUNDED; publishes payment.refunded. False when the refund was not PENDING.
    sdk::Result<bool> finish_refund(sdk::Tx& tx, const std::string& refund_id);
    /// PENDING -> REFUSED (the provider refused): raised as a reconciliation problem.
    sdk::Result<bool> refuse_refund(sdk::Tx& tx, const std::string& refund_id,
                                    const std::string& failure);

    /// Marks a payment as needing an admin (problem text) and publishes
    /// payment.reconciliation_mismatch with `details`.
    sdk::Status raise_problem(sdk::Tx& tx, const PaymentRow& payment, const std::string& problem,
                              boost::json::object details);
    /// Records that the saga after approval finished for this payment.
    sdk::Status mark_saga_completed(sdk::Tx& tx, const std::string& id);
    /// Records that the provider's record matched ours at this moment.
    sdk::Status mark_reconciled(sdk::Tx& tx, const std::string& id);

    /// The fields every payment.* event carries (Tx::publish adds actor and at).
    static boost::json::object event_base(const PaymentRow& row);

  private:
    Changed transition(sdk::Tx& tx, const std::string& sql, const std::vector<sdk::SqlParam>& p);

    const sdk::Host& host_;
};

}  // namespace admit::payment
