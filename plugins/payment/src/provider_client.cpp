#include "provider_client.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::payment {

namespace {

std::string text_of(const boost::json::object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

ProviderAnswer answer_of(const boost::json::object& object, std::string_view amount_field) {
    ProviderAnswer answer;
    answer.outcome = text_of(object, "outcome");
    answer.payment_key = text_of(object, "paymentKey");
    answer.status = text_of(object, "status");
    answer.amount = ProviderClient::amount_of(object.if_contains(amount_field));
    answer.balance = ProviderClient::amount_of(object.if_contains("balanceAmount"));
    if (auto at = text_of(object, "approvedAt"); !at.empty())
        answer.approved_us = sdk::parse_rfc3339(at);
    if (const auto* failure = object.if_contains("failure"); failure && failure->is_object()) {
        answer.failure_code = text_of(failure->as_object(), "code");
        answer.failure_message = text_of(failure->as_object(), "message");
    }
    if (const auto* exchange = object.if_contains("exchange")) answer.exchange = *exchange;
    return answer;
}

}  // namespace

std::optional<int64_t> ProviderClient::amount_of(const boost::json::value* value) {
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->as_int64();
    if (value->is_object()) {
        const auto* amount = value->as_object().if_contains("amount");
        if (amount && amount->is_int64()) return amount->as_int64();
    }
    return std::nullopt;
}

sdk::Result<boost::json::object> ProviderClient::call(std::string_view method,
                                                      const boost::json::value& input) const {
    auto answer = host_.call(provider_ + "." + std::string(method), input);
    if (!answer) return std::move(answer).error();
    if (!answer->is_object()) {
        return sdk::Error::internal(provider_ + "." + std::string(method) +
                                    " answered something other than an object");
    }
    return std::move(answer->as_object());
}

sdk::Result<ProviderAnswer> ProviderClient::confirm(const std::string& order_id,
                                                    const std::string& payment_key, int64_t amount,
                                                    const std::string& currency,
                                                    const std::string& idempotency_key) const {
    auto object = call("confirm",
                       boost::json::object{{"orderId", order_id},
                                           {"paymentKey", payment_key},
                                           {"amount", {{"amount", amount}, {"currency", currency}}},
                                           {"idempotencyKey", idempotency_key}});
    if (!object) return std::move(object).error();
    auto answer = answer_of(*object, "approvedAmount");
    if (answer.outcome != "APPROVED" && answer.outcome != "DECLINED" &&
        answer.outcome != "UNKNOWN") {
        answer.outcome = "UNKNOWN";  // an answer we cannot read is never guessed
    }
    return answer;
}

sdk::Result<ProviderAnswer> ProviderClient::cancel(const std::string& payment_key,
                                                   const std::string& order_id, int64_t amount,
                                                   const std::string& currency,
                                                   const std::string& reason,
                                                   const std::string& idempotency_key) const {
    auto object = call("cancel", boost::json::object{
                                     {"paymentKey", payment_key},
                                     {"orderId", order_id},
                                     {"cancelAmount", {{"amount", amount}, {"currency", currency}}},
                                     {"reason", reason},
                                     {"idempotencyKey", idempotency_key}});
    if (!object) return std::move(object).error();
    auto answer = answer_of(*object, "cancelledAmount");
    if (answer.outcome != "CANCELLED" && answer.outcome != "REFUSED") answer.outcome = "UNKNOWN";
    return answer;
}

sdk::Result<ProviderAnswer> ProviderClient::query(const std::string& order_id) const {
    auto object = call("query", boost::json::object{{"orderId", order_id}});
    if (!object) return std::move(object).error();
    auto answer = answer_of(*object, "totalAmount");
    if (answer.outcome != "FOUND" && answer.outcome != "NOT_FOUND") answer.outcome = "UNKNOWN";
    return answer;
}

sdk::Result<WebhookEvent> ProviderClient::verify_webhook(const boost::json::object& headers,
                                                         std::string_view body) const {
    auto object = call("verify_webhook",
                       boost::json::object{{"headers", headers}, {"body", std::string(body)}});
    if (!object) return std::move(object).error();
    WebhookEvent event;
    const auto* valid = object->if_contains("valid");
    event.valid = valid && valid->is_bool() && valid->as_bool();
    if (!event.valid) {
        event.reason = text_of(*object, "reason");
        if (event.reason.empty()) event.reason = "malformed";
        return event;
    }
    event.event_id = text_of(*object, "eventId");
    event.event_type = text_of(*object, "eventType");
    event.order_id = text_of(*object, "orderId");
    event.payment_key = text_of(*object, "paymentKey");
    event.status = text_of(*object, "status");
    event.amount = amount_of(object->if_contains("amount"));
    if (event.event_id.empty() || event.order_id.empty()) {
        event.valid = false;
        event.reason = "malformed";
    }
    return event;
}

sdk::Result<std::string> ProviderClient::checkout(const std::string& order_id, int64_t amount,
                                                  const std::string& currency,
                                                  const std::string& order_name,
                                                  const std::string& success_url,
                                                  const std::string& fail_url) const {
    auto object = call("checkout",
                       boost::json::object{{"orderId", order_id},
                                           {"amount", {{"amount", amount}, {"currency", currency}}},
                                           {"orderName", order_name},
                                           {"successUrl", success_url},
                                           {"failUrl", fail_url}});
    if (!object) return std::move(object).error();
    return text_of(*object, "checkoutUrl");
}

}  // namespace admit::payment
