#include "toss_api.hpp"

#include "outcome_mapping.hpp"
#include "toss_crypto.hpp"

#include <admit/sdk/json_fields.hpp>
#include <admit/sdk/time_text.hpp>

#include <algorithm>
#include <chrono>

namespace admit::toss {

namespace fields = sdk::fields;
using boost::json::object;

namespace {

bool in_charset(std::string_view text, std::string_view extra) {
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               extra.find(c) != std::string_view::npos;
    });
}

sdk::Result<std::string> order_id(const object& input) {
    ADMIT_TRY_ASSIGN(auto id, fields::required_string(input, "orderId"));
    if (id.size() < 6 || id.size() > 64 || !in_charset(id, "-_="))
        return sdk::Error::invalid("field 'orderId' must be 6-64 of A-Z a-z 0-9 - _ =");
    return id;
}

sdk::Result<std::string> payment_key(const object& input) {
    ADMIT_TRY_ASSIGN(auto key, fields::required_string(input, "paymentKey"));
    if (key.size() > 200 || !in_charset(key, "-_"))
        return sdk::Error::invalid("field 'paymentKey' must be up to 200 of A-Z a-z 0-9 - _");
    return key;
}

sdk::Result<std::string> idempotency_key(const object& input) {
    ADMIT_TRY_ASSIGN(auto key, fields::required_string(input, "idempotencyKey"));
    if (key.size() > 300 ||
        !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        return sdk::Error::invalid("field 'idempotencyKey' must be 1-300 printable characters");
    }
    return key;
}

// A positive amount in KRW: an integer, or {amount, currency: "KRW"}.
sdk::Result<int64_t> krw_amount(const object& input, std::string_view field) {
    const auto* value = input.if_contains(field);
    if (value != nullptr && value->is_object()) {
        const auto& money = value->as_object();
        ADMIT_TRY_ASSIGN(auto amount, fields::required_int(money, "amount", 1, 1'000'000'000'000));
        if (const auto* currency = money.if_contains("currency");
            currency != nullptr && (!currency->is_string() || currency->as_string() != "KRW")) {
            return sdk::Error::invalid("field '" + std::string(field) +
                                       ".currency' must be KRW for Toss");
        }
        return amount;
    }
    return fields::required_int(input, field, 1, 1'000'000'000'000);
}

object money(int64_t amount) { return object{{"amount", amount}, {"currency", "KRW"}}; }

std::optional<int64_t> int_field(const object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v != nullptr && v->is_int64()) return v->as_int64();
    return std::nullopt;
}

std::string string_field(const object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return (v != nullptr && v->is_string()) ? std::string(v->as_string()) : std::string();
}

std::optional<object> parse_object(const std::string& body) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) return std::nullopt;
    return std::move(parsed.as_object());
}

// Toss's "+09:00" timestamps as RFC 3339 UTC; "" when absent or unreadable.
std::string utc_time(const object& payment, std::string_view key) {
    const auto text = string_field(payment, key);
    const auto parsed = sdk::parse_rfc3339(text);
    return parsed ? sdk::format_rfc3339(*parsed, true) : std::string();
}

object failure_of(const sdk::HttpResponse& response) {
    const auto body = parse_object(response.body);
    std::string code = body ? string_field(*body, "code") : std::string();
    std::string message = body ? string_field(*body, "message") : std::string();
    if (code.empty()) code = "HTTP_" + std::to_string(response.status);
    return object{{"code", code}, {"message", message}};
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    return out;
}

}  // namespace

TossApi::TossApi(TossConfig config, HttpSender send)
    : config_(std::move(config)),
      send_(std::move(send)),
      authorization_("Basic " + base64_encode(config_.secret_key + ":")),
      log_({config_.secret_key, config_.webhook_secret, base64_encode(config_.secret_key + ":")}) {}

sdk::HttpRequest TossApi::post(std::string path, const object& body,
                               const std::string& idempotency_key) const {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = config_.base_url + path;
    request.headers = {{"Authorization", authorization_},
                       {"Content-Type", "application/json"},
                       {"Idempotency-Key", idempotency_key}};
    request.body = boost::json::serialize(body);
    request.connect_timeout_ms = config_.connect_timeout_ms;
    request.read_timeout_ms = config_.read_timeout_ms;
    request.max_attempts = config_.max_attempts;
    return request;
}

sdk::Result<TossApi::Sent> TossApi::send(sdk::HttpRequest request) const {
    const auto started = std::chrono::steady_clock::now();
    auto answer = send_(request);
    const auto elapsed =
        static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count());
    Sent sent;
    if (answer) {
        sent.exchange = log_.record(request, *answer, {}, answer->latency_ms);
        sent.response = std::move(*answer);
        return sent;
    }
    const sdk::Error& error = answer.error();
    if (!sdk::http_may_have_acted(error)) {
        // Not sent (circuit open, no connection), malformed, or no outbound HTTP on this host.
        return sdk::Error{error.status, "toss: " + log_.redact(error.message)};
    }
    sent.error = error.message;
    sent.exchange = log_.record(request, std::nullopt, error.message, elapsed);
    return sent;
}

sdk::Result<object> TossApi::confirm(const object& input) const {
    ADMIT_TRY_ASSIGN(auto order, order_id(input));
    ADMIT_TRY_ASSIGN(auto key, payment_key(input));
    ADMIT_TRY_ASSIGN(auto amount, krw_amount(input, "amount"));
    ADMIT_TRY_ASSIGN(auto idempotency, idempotency_key(input));
    ADMIT_TRY_ASSIGN(auto sent,
                     send(post("/v1/payments/confirm",
                               object{{"paymentKey", key}, {"orderId", order}, {"amount", amount}},
                               idempotency)));
    object out{{"paymentKey", key}, {"orderId", order}};
    ConfirmOutcome outcome = ConfirmOutcome::unknown;
    if (sent.response && sent.response->status / 100 == 2) {
        const auto payment = parse_object(sent.response->body);
        if (payment && string_field(*payment, "status") == "DONE" &&
            string_field(*payment, "orderId") == order &&
            string_field(*payment, "paymentKey") == key && int_field(*payment, "totalAmount")) {
            outcome = ConfirmOutcome::approved;
            out["approvedAmount"] = money(*int_field(*payment, "totalAmount"));
            out["approvedAt"] = utc_time(*payment, "approvedAt");
            out["method"] = string_field(*payment, "method");
        }
        // 2xx without a DONE payment of this order: not proven either way.
    } else if (sent.response) {
        object failure = failure_of(*sent.response);
        outcome = confirm_outcome_of_error(sent.response->status,
                                           std::string(failure["code"].as_string()));
        out["failure"] = std::move(failure);
    }
    out["outcome"] = to_string(outcome);
    out["exchange"] = std::move(sent.exchange);
    return out;
}

sdk::Result<object> TossApi::cancel(const object& input) const {
    ADMIT_TRY_ASSIGN(auto key, payment_key(input));
    ADMIT_TRY_ASSIGN(auto order, order_id(input));
    ADMIT_TRY_ASSIGN(auto amount, krw_amount(input, "cancelAmount"));
    ADMIT_TRY_ASSIGN(auto reason, fields::required_string(input, "reason"));
    if (reason.size() > 200) return sdk::Error::invalid("field 'reason' must be 200 bytes at most");
    ADMIT_TRY_ASSIGN(auto idempotency, idempotency_key(input));
    ADMIT_TRY_ASSIGN(
        auto sent,
        send(post("/v1/payments/" + key + "/cancel",
                  object{{"cancelReason", reason}, {"cancelAmount", amount}}, idempotency)));
    object out;
    CancelOutcome outcome = CancelOutcome::unknown;
    if (sent.response && sent.response->status / 100 == 2) {
        const auto payment = parse_object(sent.response->body);
        if (payment && string_field(*payment, "paymentKey") == key &&
            string_field(*payment, "orderId") == order && int_field(*payment, "balanceAmount")) {
            outcome = CancelOutcome::cancelled;
            int64_t cancelled = amount;
            if (const auto* cancels = payment->if_contains("cancels");
                cancels && cancels->is_array() && !cancels->as_array().empty() &&
                cancels->as_array().back().is_object()) {
                cancelled = int_field(cancels->as_array().back().as_object(), "cancelAmount")
                                .value_or(amount);
            }
            out["cancelledAmount"] = money(cancelled);
            out["balanceAmount"] = money(*int_field(*payment, "balanceAmount"));
        }
    } else if (sent.response) {
        object failure = failure_of(*sent.response);
        outcome = cancel_outcome_of_error(sent.response->status,
                                          std::string(failure["code"].as_string()));
        out["failure"] = std::move(failure);
    }
    out["outcome"] = to_string(outcome);
    out["exchange"] = std::move(sent.exchange);
    return out;
}

sdk::Result<object> TossApi::query(const object& input) const {
    ADMIT_TRY_ASSIGN(auto order, order_id(input));
    sdk::HttpRequest request;
    request.method = "GET";
    request.url = config_.base_url + "/v1/payments/orders/" + order;
    request.headers = {{"Authorization", authorization_}};
    request.connect_timeout_ms = config_.connect_timeout_ms;
    request.read_timeout_ms = config_.query_timeout_ms;
    request.max_attempts = config_.max_attempts;
    ADMIT_TRY_ASSIGN(auto sent, send(std::move(request)));
    object out{{"outcome", "UNKNOWN"}};
    if (sent.response && sent.response->status == 200) {
        const auto payment = parse_object(sent.response->body);
        const std::string status =
            payment ? std::string(contract_status(string_field(*payment, "status"))) : "";
        if (payment && !status.empty() && string_field(*payment, "orderId") == order) {
            out["outcome"] = "FOUND";
            out["status"] = status;
            out["paymentKey"] = string_field(*payment, "paymentKey");
            if (auto total = int_field(*payment, "totalAmount")) out["totalAmount"] = money(*total);
            if (auto balance = int_field(*payment, "balanceAmount"))
                out["balanceAmount"] = money(*balance);
            if (auto approved = utc_time(*payment, "approvedAt"); !approved.empty())
                out["approvedAt"] = approved;
        }
    } else if (sent.response && sent.response->status == 404 &&
               failure_of(*sent.response).at("code").as_string() == "NOT_FOUND_PAYMENT") {
        out["outcome"] = "NOT_FOUND";
    } else if (sent.response) {
        out["failure"] = failure_of(*sent.response);
    }
    out["exchange"] = std::move(sent.exchange);
    return out;
}

sdk::Result<object> TossApi::checkout(const object& input) const {
    ADMIT_TRY_ASSIGN(auto order, order_id(input));
    ADMIT_TRY_ASSIGN(auto amount, krw_amount(input, "amount"));
    ADMIT_TRY_ASSIGN(auto name, fields::required_string(input, "orderName"));
    ADMIT_TRY_ASSIGN(auto success, fields::required_string(input, "successUrl"));
    ADMIT_TRY_ASSIGN(auto fail, fields::required_string(input, "failUrl"));
    for (const auto* url : {&success, &fail}) {
        if (!(url->starts_with("http://") || url->starts_with("https://")))
            return sdk::Error::invalid("successUrl and failUrl must be absolute http(s) URLs");
    }
    const std::string url =
        config_.checkout_url + "/checkout?orderId=" + percent_encode(order) +
        "&amount=" + std::to_string(amount) + "&orderName=" + percent_encode(name) +
        "&successUrl=" + percent_encode(success) + "&failUrl=" + percent_encode(fail);
    return object{{"checkoutUrl", url}};
}

}  // namespace admit::toss
