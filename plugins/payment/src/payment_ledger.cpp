#include "payment_ledger.hpp"

namespace admit::payment {

namespace {
std::string returning() { return " RETURNING " + std::string(payment_columns); }
}  // namespace

boost::json::object PaymentLedger::event_base(const PaymentRow& row) {
    return {{"paymentId", row.id},
            {"orderId", row.order_id},
            {"reservationId", row.reservation_id},
            {"userId", row.user_id},
            {"provider", row.provider},
            {"status", row.status},
            {"amount", money(row.amount, row.currency)}};
}

PaymentLedger::Changed PaymentLedger::transition(sdk::Tx& tx, const std::string& sql,
                                                 const std::vector<sdk::SqlParam>& params) {
    auto rows = tx.exec_params(sql + returning(), params);
    if (!rows) return std::move(rows).error();
    auto parsed = parse_payments(*rows);
    if (parsed.empty()) return std::optional<PaymentRow>{};
    return std::optional<PaymentRow>(std::move(parsed.front()));
}

PaymentLedger::Changed PaymentLedger::start_confirm(sdk::Tx& tx, const std::string& id,
                                                    const std::string& payment_key) {
    return transition(tx,
                      "UPDATE payment.payments SET status = 'IN_PROGRESS', payment_key = $2, "
                      "confirm_started_at = " +
                          sql_time(3) + ", updated_at = " + sql_time(3) +
                          " WHERE id = $1 AND status = 'READY'",
                      {id, payment_key, std::to_string(host_.now_us())});
}

PaymentLedger::Changed PaymentLedger::back_to_ready(sdk::Tx& tx, const std::string& id) {
    return transition(tx,
                      "UPDATE payment.payments SET status = 'READY', confirm_started_at = NULL, "
                      "updated_at = " +
                          sql_time(2) + " WHERE id = $1 AND status = 'IN_PROGRESS'",
                      {id, std::to_string(host_.now_us())});
}

PaymentLedger::Changed PaymentLedger::approve(sdk::Tx& tx, const std::string& id,
                                              int64_t approved_amount,
                                              const std::string& payment_key,
                                              std::optional<int64_t> approved_us,
                                              const std::string& source) {
    const int64_t now = host_.now_us();
    auto changed =
        transition(tx,
                   "UPDATE payment.payments SET status = 'APPROVED', approved_amount = $2, "
                   "payment_key = COALESCE(NULLIF($3, ''), payment_key), approved_at = " +
                       sql_time(4) + ", updated_at = " + sql_time(5) +
                       " WHERE id = $1 AND status IN ('READY', 'IN_PROGRESS', 'UNKNOWN')",
                   {id, std::to_string(approved_amount), payment_key,
                    std::to_string(approved_us.value_or(now)), std::to_string(now)});
    if (!changed || !*changed) return changed;
    const PaymentRow& row = **changed;
    auto event = event_base(row);
    event["approvedAmount"] = money(approved_amount, row.currency);
    event["source"] = source;
    if (auto s = tx.publish("payment.approved", row.reservation_id, event, "system"); !s)
        return std::move(s).error();
    if (row.amount_mismatch()) {
        auto refund = request_refund(tx, row,
                                     {.amount = approved_amount,
                                      .reason = "AMOUNT_MISMATCH",
                                      .cause = "amount_mismatch:" + row.id,
                                      .note = "charged " + std::to_string(approved_amount) +
                                              ", expected " + std::to_string(row.amount),
                                      .policy_revision = {},
                                      .actor = "system"});
        if (!refund) return std::move(refund).error();
    }
    return changed;
}

PaymentLedger::Changed PaymentLedger::fail(sdk::Tx& tx, const std::string& id,
                                           const std::string& code, const std::string& message,
                                           const std::string& actor) {
    auto changed = transition(
        tx,
        "UPDATE payment.payments SET status = 'FAILED', failure_code = $2, failure_message = $3, "
        "updated_at = " +
            sql_time(4) + " WHERE id = $1 AND status IN ('READY', 'IN_PROGRESS', 'UNKNOWN')",
        {id, code, message, std::to_string(host_.now_us())});
    if (!changed || !*changed) return changed;
    auto event = event_base(**changed);
    event["failure"] = {{"code", code}, {"message", message}};
    if (auto s = tx.publish("payment.failed", (*changed)->reservation_id, event, actor); !s)
        return std::move(s).error();
    return changed;
}

PaymentLedger::Changed PaymentLedger::mark_unknown(sdk::Tx& tx, const std::string& id) {
    auto changed =
        transition(tx,
                   "UPDATE payment.payments SET status = 'UNKNOWN', updated_at = " + sql_time(2) +
                       " WHERE id = $1 AND status = 'IN_PROGRESS'",
                   {id, std::to_string(host_.now_us())});
    if (!changed || !*changed) return changed;
    if (auto s = tx.publish("payment.unknown", (*changed)->reservation_id, event_base(**changed),
                            "system");
        !s)
        return std::move(s).error();
    return changed;
}

sdk::Status PaymentLedger::log(sdk::Tx& tx, const std::string& payment_id,
                               std::string_view operation, std::string_view outcome,
                               const boost::json::value& exchange) {
    auto inserted = tx.exec(
        "INSERT INTO payment.logs (payment_id, operation, outcome, exchange, at) VALUES ($1, $2, "
        "$3, $4::jsonb, " +
            sql_time(5) + ")",
        payment_id, std::string(operation), std::string(outcome),
        exchange.is_null() ? sdk::SqlParam{} : sdk::SqlParam{boost::json::serialize(exchange)},
        host_.now_us());
    if (!inserted) return std::move(inserted).error();
    return {};
}

sdk::Result<std::optional<std::string>> PaymentLedger::request_refund(
    sdk::Tx& tx, const PaymentRow& payment, const RefundRequest& request) {
    const std::string id = sdk::new_id("rfd");
    auto rows = tx.exec(
        "INSERT INTO payment.refunds (id, payment_id, amount, reason, note, cause, "
        "policy_revision, status, actor, created_at) VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, "
        "NULLIF($7, ''), 'PENDING', $8, " +
            sql_time(9) + ") ON CONFLICT (cause) DO NOTHING RETURNING id",
        id, payment.id, request.amount, request.reason, request.note, request.cause,
        request.policy_revision, request.actor, host_.now_us());
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<std::string>{};
    if (auto s = tx.enqueue("execute_refund", host_.now_us(), id); !s) return std::move(s).error();
    return std::optional<std::string>(id);
}

sdk::Result<bool> PaymentLedger::finish_refund(sdk::Tx& tx, const std::string& refund_id) {
    const int64_t now = host_.now_us();
    auto done = tx.exec("UPDATE payment.refunds SET status = 'DONE', done_at = " + sql_time(2) +
                            " WHERE id = $1 AND status = 'PENDING' RETURNING payment_id, amount, "
                            "reason, policy_revision",
                        refund_id, now);
    if (!done) return std::move(done).error();
    if (done->empty()) return false;
    const auto refund = done->front();
    const int64_t amount = refund.int64("amount").value_or(0);
    auto changed = transition(
        tx,
        "UPDATE payment.payments SET refunded_amount = refunded_amount + $2, status = CASE WHEN "
        "refunded_amount + $2 >= COALESCE(approved_amount, amount) THEN 'REFUNDED' ELSE "
        "'PARTIALLY_REFUNDED' END, updated_at = " +
            sql_time(3) +
            " WHERE id = $1 AND status IN ('APPROVED', 'PARTIALLY_REFUNDED', 'REFUNDED')",
        {refund.text("payment_id"), std::to_string(amount), std::to_string(now)});
    if (!changed) return std::move(changed).error();
    if (!*changed) return sdk::Error::conflict("refund " + refund_id + " of a payment not charged");
    auto event = event_base(**changed);
    event["refundId"] = refund_id;
    event["refund"] = money(amount, (*changed)->currency);
    event["refundedAmount"] = money((*changed)->refunded_amount, (*changed)->currency);
    event["reason"] = refund.text("reason");
    if (auto revision = refund.text("policy_revision"); !revision.empty())
        event["refundPolicyRevision"] = revision;
    if (auto s = tx.publish("payment.refunded", (*changed)->reservation_id, event, "system"); !s)
        return std::move(s).error();
    return true;
}

sdk::Result<bool> PaymentLedger::refuse_refund(sdk::Tx& tx, const std::string& refund_id,
                                               const std::string& failure) {
    auto refused = tx.exec(
        "UPDATE payment.refunds SET status = 'REFUSED', failure = $2, done_at = " + sql_time(3) +
            " WHERE id = $1 AND status = 'PENDING' RETURNING payment_id, amount",
        refund_id, failure, host_.now_us());
    if (!refused) return std::move(refused).error();
    if (refused->empty()) return false;
    auto rows =
        tx.exec("SELECT " + std::string(payment_columns) + " FROM payment.payments WHERE id = $1",
                refused->front().text("payment_id"));
    if (!rows) return std::move(rows).error();
    auto payments = parse_payments(*rows);
    if (payments.empty()) return true;
    if (auto s = raise_problem(tx, payments.front(), "REFUND_REFUSED",
                               {{"refundId", refund_id},
                                {"refund", money(refused->front().int64("amount").value_or(0),
                                                 payments.front().currency)},
                                {"failure", failure}});
        !s)
        return std::move(s).error();
    return true;
}

sdk::Status PaymentLedger::raise_problem(sdk::Tx& tx, const PaymentRow& payment,
                                         const std::string& problem, boost::json::object details) {
    auto updated =
        tx.exec("UPDATE payment.payments SET problem = $2, reconciled_at = " + sql_time(3) +
                    " WHERE id = $1",
                payment.id, problem, host_.now_us());
    if (!updated) return std::move(updated).error();
    auto event = event_base(payment);
    event["problem"] = problem;
    event["details"] = std::move(details);
    return tx.publish("payment.reconciliation_mismatch", payment.reservation_id, event, "system");
}

sdk::Status PaymentLedger::mark_saga_completed(sdk::Tx& tx, const std::string& id) {
    auto updated = tx.exec("UPDATE payment.payments SET saga_completed_at = " + sql_time(2) +
                               " WHERE id = $1 AND saga_completed_at IS NULL",
                           id, host_.now_us());
    if (!updated) return std::move(updated).error();
    return {};
}

sdk::Status PaymentLedger::mark_reconciled(sdk::Tx& tx, const std::string& id) {
    auto updated =
        tx.exec("UPDATE payment.payments SET reconciled_at = " + sql_time(2) + " WHERE id = $1", id,
                host_.now_us());
    if (!updated) return std::move(updated).error();
    return {};
}

}  // namespace admit::payment
