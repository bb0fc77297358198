#include "payment_store.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::payment {

const std::string_view payment_columns =
    "id, order_id, reservation_id, user_id, provider, method, amount, currency, status, "
    "payment_key, checkout_url, fees_revision, approved_amount, refunded_amount, failure_code, "
    "failure_message, "
    "problem, (extract(epoch FROM hold_expires_at) * 1000000)::bigint AS hold_expires_us, "
    "(extract(epoch FROM confirm_started_at) * 1000000)::bigint AS confirm_started_us, "
    "(extract(epoch FROM approved_at) * 1000000)::bigint AS approved_us, "
    "(extract(epoch FROM created_at) * 1000000)::bigint AS created_us, "
    "(extract(epoch FROM updated_at) * 1000000)::bigint AS updated_us";

std::string sql_time(int parameter) {
    return "(timestamptz 'epoch' + $" + std::to_string(parameter) +
           "::bigint * interval '1 microsecond')";
}

std::vector<PaymentRow> parse_payments(const sdk::Rows& rows) {
    std::vector<PaymentRow> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        PaymentRow p;
        p.id = row.text("id");
        p.order_id = row.text("order_id");
        p.reservation_id = row.text("reservation_id");
        p.user_id = row.text("user_id");
        p.provider = row.text("provider");
        p.method = row.text("method");
        p.amount = row.int64("amount").value_or(0);
        p.currency = row.text("currency");
        p.status = row.text("status");
        p.payment_key = row.text("payment_key");
        p.checkout_url = row.text("checkout_url");
        p.hold_expires_us = row.int64("hold_expires_us");
        p.fees_revision = row.text("fees_revision");
        p.approved_amount = row.int64("approved_amount");
        p.refunded_amount = row.int64("refunded_amount").value_or(0);
        p.failure_code = row.text("failure_code");
        p.failure_message = row.text("failure_message");
        p.problem = row.text("problem");
        p.confirm_started_us = row.int64("confirm_started_us");
        p.approved_us = row.int64("approved_us");
        p.created_us = row.int64("created_us").value_or(0);
        p.updated_us = row.int64("updated_us").value_or(0);
        out.push_back(std::move(p));
    }
    return out;
}

boost::json::object money(int64_t amount, const std::string& currency) {
    return {{"amount", amount}, {"currency", currency}};
}

boost::json::object payment_json(const PaymentRow& row) {
    boost::json::object body{
        {"paymentId", row.id},
        {"orderId", row.order_id},
        {"reservationId", row.reservation_id},
        {"userId", row.user_id},
        {"provider", row.provider},
        {"method", row.method},
        {"status", row.status},
        {"amount", money(row.amount, row.currency)},
        {"refundedAmount", money(row.refunded_amount, row.currency)},
        {"createdAt", sdk::format_rfc3339(row.created_us, /*with_millis=*/true)},
        {"updatedAt", sdk::format_rfc3339(row.updated_us, /*with_millis=*/true)},
    };
    if (!row.checkout_url.empty()) body["checkoutUrl"] = row.checkout_url;
    if (!row.fees_revision.empty()) body["feesRevision"] = row.fees_revision;
    if (row.approved_amount) body["approvedAmount"] = money(*row.approved_amount, row.currency);
    if (row.approved_us)
        body["approvedAt"] = sdk::format_rfc3339(*row.approved_us, /*with_millis=*/true);
    if (!row.failure_code.empty()) {
        body["failure"] = {{"code", row.failure_code}, {"message", row.failure_message}};
    }
    if (!row.problem.empty()) body["problem"] = row.problem;
    return body;
}

namespace {
sdk::Result<std::optional<PaymentRow>> first(sdk::Result<sdk::Rows> rows) {
    if (!rows) return std::move(rows).error();
    auto parsed = parse_payments(*rows);
    if (parsed.empty()) return std::optional<PaymentRow>{};
    return std::optional<PaymentRow>(std::move(parsed.front()));
}
}  // namespace

sdk::Result<std::optional<PaymentRow>> PaymentStore::find(const std::string& id) {
    return first(db_.exec(
        "SELECT " + std::string(payment_columns) + " FROM payment.payments WHERE id = $1", id));
}

sdk::Result<std::optional<PaymentRow>> PaymentStore::find_by_order(const std::string& order_id) {
    return first(db_.exec(
        "SELECT " + std::string(payment_columns) + " FROM payment.payments WHERE order_id = $1",
        order_id));
}

sdk::Result<std::optional<PaymentRow>> PaymentStore::find_live_for_reservation(
    const std::string& reservation_id) {
    return first(db_.exec("SELECT " + std::string(payment_columns) +
                              " FROM payment.payments WHERE reservation_id = $1 AND status <> "
                              "'FAILED'",
                          reservation_id));
}

sdk::Result<std::optional<PaymentRow>> PaymentStore::find_charged_for_reservation(
    const std::string& reservation_id) {
    return first(db_.exec("SELECT " + std::string(payment_columns) +
                              " FROM payment.payments WHERE reservation_id = $1 AND status IN "
                              "('APPROVED', 'PARTIALLY_REFUNDED', 'REFUNDED')",
                          reservation_id));
}

sdk::Result<std::vector<PaymentRow>> PaymentStore::list(const PaymentFilter& filter) {
    const std::string sql =
        "SELECT " + std::string(payment_columns) +
        " FROM payment.payments p WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR status = $2)"
        " AND (NOT $3::boolean OR problem IS NOT NULL)"
        " AND ($4 = '' OR (created_at, id) < (SELECT created_at, id FROM payment.payments"
        "                                     WHERE id = $4))"
        " ORDER BY created_at DESC, id DESC LIMIT $5";
    auto rows = db_.exec(sql, filter.user_id, filter.status, filter.problems_only, filter.after,
                         filter.limit);
    if (!rows) return std::move(rows).error();
    return parse_payments(*rows);
}

}  // namespace admit::payment
