#include "payment_json.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "ids.hpp"

namespace admit::paysim {
namespace json = boost::json;

namespace {

json::value time_or_null(int64_t ms) {
    return ms > 0 ? json::value(toss_time(ms)) : json::value(nullptr);
}

}  // namespace

json::object toss_payment_json(const Payment& p) {
    int64_t balance = p.charged - p.refunded;
    // Toss reports the amounts of the approved payment; before approval the requested amount.
    int64_t total = p.amount;
    int64_t shown_balance =
        p.status == PaymentStatus::in_progress || p.status == PaymentStatus::aborted ? p.amount
                                                                                     : balance;
    auto supplied = static_cast<int64_t>(std::llround(static_cast<double>(shown_balance) / 1.1));
    json::value cancels = nullptr;
    if (!p.cancels.empty()) {
        json::array a;
        for (const auto& c : p.cancels) {
            a.push_back(json::object{{"transactionKey", c.transaction_key},
                                     {"cancelReason", c.reason},
                                     {"taxExemptionAmount", 0},
                                     {"canceledAt", toss_time(c.at_ms)},
                                     {"easyPayDiscountAmount", 0},
                                     {"receiptKey", nullptr},
                                     {"cancelAmount", c.amount},
                                     {"taxFreeAmount", 0},
                                     {"refundableAmount", c.refundable_after},
                                     {"cancelStatus", "DONE"},
                                     {"cancelRequestId", nullptr}});
        }
        cancels = std::move(a);
    }
    json::value failure = nullptr;
    if (!p.failure_code.empty()) {
        failure = json::object{{"code", p.failure_code}, {"message", p.failure_message}};
    }
    json::value card = nullptr;
    if (p.approved_at_ms > 0) {
        card = json::object{{"issuerCode", "61"},           {"acquirerCode", "31"},
                            {"number", "43301234****123*"}, {"installmentPlanMonths", 0},
                            {"isInterestFree", false},      {"interestPayer", nullptr},
                            {"approveNo", "00000000"},      {"useCardPoint", false},
                            {"cardType", "신용"},           {"ownerType", "개인"},
                            {"acquireStatus", "READY"},     {"amount", p.charged}};
    }
    return json::object{{"mId", "admit-pay-sim"},
                        {"version", "2022-11-16"},
                        {"lastTransactionKey", p.last_transaction_key},
                        {"paymentKey", p.payment_key},
                        {"orderId", p.order_id},
                        {"orderName", p.order_name},
                        {"taxExemptionAmount", 0},
                        {"status", status_name(p.status)},
                        {"requestedAt", toss_time(p.requested_at_ms)},
                        {"approvedAt", time_or_null(p.approved_at_ms)},
                        {"useEscrow", false},
                        {"cultureExpense", false},
                        {"card", card},
                        {"virtualAccount", nullptr},
                        {"transfer", nullptr},
                        {"mobilePhone", nullptr},
                        {"giftCertificate", nullptr},
                        {"cashReceipt", nullptr},
                        {"cashReceipts", nullptr},
                        {"discount", nullptr},
                        {"cancels", cancels},
                        {"secret", nullptr},
                        {"type", "NORMAL"},
                        {"easyPay", nullptr},
                        {"country", "KR"},
                        {"failure", failure},
                        {"isPartialCancelable", true},
                        {"receipt", nullptr},
                        {"checkout", nullptr},
                        {"currency", "KRW"},
                        {"totalAmount", total},
                        {"balanceAmount", shown_balance},
                        {"suppliedAmount", supplied},
                        {"vat", shown_balance - supplied},
                        {"taxFreeAmount", 0},
                        {"method", "카드"},
                        {"metadata", nullptr}};
}

json::object ledger_entry_json(const Payment& p) {
    return json::object{{"paymentKey", p.payment_key},
                        {"orderId", p.order_id},
                        {"orderName", p.order_name},
                        {"status", status_name(p.status)},
                        {"amount", p.amount},
                        {"charged", p.charged},
                        {"refunded", p.refunded},
                        {"cancels", p.cancels.size()},
                        {"requestedAt", time_or_null(p.requested_at_ms)},
                        {"approvedAt", time_or_null(p.approved_at_ms)},
                        {"updatedAt", time_or_null(p.updated_at_ms)},
                        {"failureCode", p.failure_code.empty() ? json::value(nullptr)
                                                               : json::value(p.failure_code)},
                        {"version", p.version}};
}

json::object payment_record_json(const Payment& p) {
    json::array cancels;
    for (const auto& c : p.cancels) {
        cancels.push_back(json::object{{"amount", c.amount},
                                       {"reason", c.reason},
                                       {"at_ms", c.at_ms},
                                       {"transaction_key", c.transaction_key},
                                       {"refundable_after", c.refundable_after}});
    }
    return json::object{{"payment_key", p.payment_key},
                        {"order_id", p.order_id},
                        {"order_name", p.order_name},
                        {"amount", p.amount},
                        {"status", status_name(p.status)},
                        {"charged", p.charged},
                        {"refunded", p.refunded},
                        {"requested_at_ms", p.requested_at_ms},
                        {"approved_at_ms", p.approved_at_ms},
                        {"updated_at_ms", p.updated_at_ms},
                        {"last_transaction_key", p.last_transaction_key},
                        {"failure_code", p.failure_code},
                        {"failure_message", p.failure_message},
                        {"cancels", std::move(cancels)},
                        {"version", p.version}};
}

std::optional<Payment> payment_from_record(const json::object& r) {
    try {
        Payment p;
        p.payment_key = std::string(r.at("payment_key").as_string());
        p.order_id = std::string(r.at("order_id").as_string());
        p.order_name = std::string(r.at("order_name").as_string());
        p.amount = r.at("amount").as_int64();
        auto status = status_from_name(r.at("status").as_string());
        if (!status) return std::nullopt;
        p.status = *status;
        p.charged = r.at("charged").as_int64();
        p.refunded = r.at("refunded").as_int64();
        p.requested_at_ms = r.at("requested_at_ms").as_int64();
        p.approved_at_ms = r.at("approved_at_ms").as_int64();
        p.updated_at_ms = r.at("updated_at_ms").as_int64();
        p.last_transaction_key = std::string(r.at("last_transaction_key").as_string());
        p.failure_code = std::string(r.at("failure_code").as_string());
        p.failure_message = std::string(r.at("failure_message").as_string());
        for (const auto& cv : r.at("cancels").as_array()) {
            const auto& c = cv.as_object();
            p.cancels.push_back(CancelRecord{
                c.at("amount").as_int64(), std::string(c.at("reason").as_string()),
                c.at("at_ms").as_int64(), std::string(c.at("transaction_key").as_string()),
                c.at("refundable_after").as_int64()});
        }
        p.version = r.at("version").to_number<uint64_t>();
        return p;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string error_body(const std::string& code, const std::string& message) {
    return json::serialize(json::object{{"code", code}, {"message", message}});
}

}  // namespace admit::paysim
