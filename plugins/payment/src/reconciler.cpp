#include "reconciler.hpp"

namespace admit::payment {

sdk::Status Reconciler::resolve(const PaymentRow& row, ReconcileReport& report) {
    auto answer = provider_.query(row.order_id);
    if (!answer) {
        ++report.still_unknown;
        host_.warn("reconciliation: query of ", row.order_id, " failed: ", answer.error().message);
        return {};
    }
    const bool charged = answer->outcome == "FOUND" &&
                         (answer->status == "APPROVED" || answer->status == "PARTIALLY_CANCELLED" ||
                          answer->status == "CANCELLED");
    const bool not_charged = answer->outcome == "NOT_FOUND" ||
                             (answer->outcome == "FOUND" &&
                              (answer->status == "DECLINED" || answer->status == "PENDING"));
    std::optional<PaymentRow> moved;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        if (auto s = ledger_.log(tx, row.id, "query", answer->outcome + " " + answer->status,
                                 answer->exchange);
            !s)
            return s;
        PaymentLedger::Changed changed = std::optional<PaymentRow>{};
        if (charged) {
            changed = ledger_.approve(tx, row.id, answer->amount.value_or(row.amount),
                                      answer->payment_key, answer->approved_us, "reconciliation");
        } else if (not_charged) {
            changed =
                ledger_.fail(tx, row.id, "NOT_CHARGED",
                             "the provider has no charge for order " + row.order_id, "system");
        }
        if (!changed) return std::move(changed).error();
        moved = *changed;
        return {};
    });
    if (!status) return status;
    if (!moved) {
        if (!charged && !not_charged) ++report.still_unknown;
        return {};
    }
    if (moved->status == "APPROVED") {
        ++report.resolved_approved;
        metrics_.approved.add();
        auto outcome = saga_.complete_approved(*moved);
        if (!outcome) return std::move(outcome).error();
    } else {
        ++report.resolved_failed;
        metrics_.failed.add();
        if (auto s = saga_.complete_failed(moved->id); !s) return s;
    }
    return {};
}

sdk::Status Reconciler::compare(const PaymentRow& row, ReconcileReport& report) {
    auto answer = provider_.query(row.order_id);
    if (!answer) return std::move(answer).error();
    if (answer->outcome == "UNKNOWN") return {};
    ++report.compared;
    const int64_t charged = row.approved_amount.value_or(row.amount);
    const int64_t balance = charged - row.refunded_amount;
    boost::json::object details{{"ours", {{"total", charged}, {"balance", balance}}}};
    std::string problem;
    if (answer->outcome == "NOT_FOUND") {
        problem = "PROVIDER_HAS_NO_CHARGE";
    } else {
        details["provider"] = {{"status", answer->status},
                               {"total", answer->amount ? boost::json::value(*answer->amount)
                                                        : boost::json::value(nullptr)},
                               {"balance", answer->balance ? boost::json::value(*answer->balance)
                                                           : boost::json::value(nullptr)}};
        if (answer->amount && *answer->amount != charged) {
            problem = "TOTAL_MISMATCH";
        } else if (answer->balance && *answer->balance != balance) {
            problem = "BALANCE_MISMATCH";
        }
    }
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        if (auto s = ledger_.log(tx, row.id, "query", answer->outcome + " " + answer->status,
                                 answer->exchange);
            !s)
            return s;
        if (problem.empty()) return ledger_.mark_reconciled(tx, row.id);
        return ledger_.raise_problem(tx, row, problem, details);
    });
    if (!status) return status;
    if (!problem.empty()) {
        ++report.mismatches;
        metrics_.mismatches.add();
        host_.warn("reconciliation mismatch on payment ", row.id, ": ", problem);
    }
    return {};
}

sdk::Result<ReconcileReport> Reconciler::run_pass() {
    ReconcileReport report;
    const int64_t now = host_.now_us();
    auto unresolved = host_.db().exec(
        "SELECT " + std::string(payment_columns) +
            " FROM payment.payments WHERE status = 'UNKNOWN' OR (status = 'IN_PROGRESS' AND "
            "confirm_started_at <= " +
            sql_time(1) + " - $2::bigint * interval '1 millisecond') ORDER BY updated_at LIMIT $3",
        now, settings_.in_progress_timeout_ms, settings_.reconcile_batch);
    if (!unresolved) return std::move(unresolved).error();
    std::optional<sdk::Error> first_error;
    for (const auto& row : parse_payments(*unresolved)) {
        if (auto s = resolve(row, report); !s && !first_error) first_error = s.error();
    }

    auto charged = host_.db().exec(
        "SELECT " + std::string(payment_columns) +
            " FROM payment.payments p WHERE status IN ('APPROVED', 'PARTIALLY_REFUNDED', "
            "'REFUNDED') AND problem IS NULL AND (reconciled_at IS NULL OR reconciled_at < "
            "updated_at) AND NOT EXISTS (SELECT 1 FROM payment.refunds r WHERE r.payment_id = "
            "p.id AND r.status = 'PENDING') ORDER BY updated_at LIMIT $1",
        settings_.reconcile_batch);
    if (!charged) return std::move(charged).error();
    for (const auto& row : parse_payments(*charged)) {
        if (auto s = compare(row, report); !s && !first_error) first_error = s.error();
    }

    auto pending = host_.db().exec(
        "SELECT id FROM payment.refunds WHERE status = 'PENDING' AND created_at <= " + sql_time(1) +
            " - $2::bigint * interval '1 millisecond' ORDER BY created_at LIMIT $3",
        now, settings_.refund_retry_ms, settings_.reconcile_batch);
    if (!pending) return std::move(pending).error();
    for (const auto& refund : *pending) {
        ++report.refunds_retried;
        if (auto s = saga_.execute_refund(refund.text("id")); !s && !first_error)
            first_error = s.error();
    }
    // Sagas that never completed after an approval (the outbox parked the event after its
    // attempts, or it is still retrying): run again, idempotently.
    auto open_sagas = host_.db().exec(
        "SELECT id FROM payment.payments WHERE status = 'APPROVED' AND saga_completed_at IS NULL "
        "AND approved_at <= " +
            sql_time(1) + " - $2::bigint * interval '1 millisecond' LIMIT $3",
        now, settings_.in_progress_timeout_ms, settings_.reconcile_batch);
    if (!open_sagas) return std::move(open_sagas).error();
    for (const auto& payment : *open_sagas) {
        const std::string id = payment.text("id");
        auto outcome = saga_.complete_approved(id);
        if (!outcome) {
            if (!first_error) first_error = outcome.error();
            continue;
        }
        ++report.sagas_completed;
        auto marked = host_.db().transaction(
            [&](sdk::Tx& tx) -> sdk::Status { return ledger_.mark_saga_completed(tx, id); });
        if (!marked && !first_error) first_error = marked.error();
    }

    auto abandoned = host_.db().exec(
        "SELECT id FROM payment.payments WHERE status = 'READY' AND hold_expires_at <= " +
            sql_time(1) + " - $2::bigint * interval '1 millisecond' LIMIT $3",
        now, settings_.in_progress_timeout_ms, settings_.reconcile_batch);
    if (!abandoned) return std::move(abandoned).error();
    for (const auto& payment : *abandoned) {
        auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
            auto changed =
                ledger_.fail(tx, payment.text("id"), "RESERVATION_EXPIRED",
                             "the hold expired before the payment was confirmed", "system");
            if (!changed) return std::move(changed).error();
            if (*changed) ++report.abandoned;
            return {};
        });
        if (!status && !first_error) first_error = status.error();
    }
    if (first_error) {
        host_.warn("reconciliation pass incomplete (next pass retries): ", first_error->message);
    }
    return report;
}

}  // namespace admit::payment
