#include "webhook_verifier.hpp"

#include "outcome_mapping.hpp"
#include "toss_crypto.hpp"

#include <admit/sdk/time_text.hpp>

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace admit::toss {

namespace {

boost::json::object invalid(std::string_view reason) {
    return boost::json::object{{"valid", false}, {"reason", reason}};
}

struct Signature {
    int64_t timestamp = 0;
    std::string v1;
};

// "t=<digits>,v1=<64 hex>" (parts in any order; unknown parts ignored).
std::optional<Signature> parse_signature(std::string_view header) {
    Signature out;
    bool has_t = false;
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view part = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.starts_with("t=")) {
            const auto digits = part.substr(2);
            auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), out.timestamp);
            if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
                return std::nullopt;
            has_t = true;
        } else if (part.starts_with("v1=")) {
            out.v1 = std::string(part.substr(3));
        }
    }
    if (!has_t || out.v1.size() != 64) return std::nullopt;
    return out;
}

// Toss's webhook createdAt ("2026-12-06T07:08:48.512345", KST without an offset) as RFC 3339 UTC.
std::optional<std::string> occurred_at(std::string_view created_at) {
    auto parsed = sdk::parse_rfc3339(std::string(created_at) + "+09:00");
    if (!parsed) parsed = sdk::parse_rfc3339(created_at);  // already carries an offset
    if (!parsed) return std::nullopt;
    return sdk::format_rfc3339(*parsed, true);
}

}  // namespace

boost::json::object WebhookVerifier::verify(const std::map<std::string, std::string>& headers,
                                            const std::string& body, int64_t now_us) const {
    const auto header = headers.find("admit-sim-signature");
    if (header == headers.end()) return invalid("signature");
    const auto signature = parse_signature(header->second);
    if (!signature) return invalid("signature");
    const std::string expected =
        hmac_sha256_hex(secret_, std::to_string(signature->timestamp) + "." + body);
    if (!constant_time_equal(expected, signature->v1)) return invalid("signature");
    const int64_t now_seconds = now_us / 1'000'000;
    if (std::llabs(now_seconds - signature->timestamp) > tolerance_seconds_)
        return invalid("timestamp");

    const auto event_id = headers.find("admit-sim-event-id");
    if (event_id == headers.end() || event_id->second.empty()) return invalid("malformed");
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) return invalid("malformed");
    const auto& event = parsed.as_object();
    const auto* type = event.if_contains("eventType");
    const auto* data = event.if_contains("data");
    if (type == nullptr || !type->is_string() || data == nullptr || !data->is_object())
        return invalid("malformed");
    const auto& payment = data->as_object();
    const auto* order_id = payment.if_contains("orderId");
    if (order_id == nullptr || !order_id->is_string() || order_id->as_string().empty())
        return invalid("malformed");

    boost::json::object out{{"valid", true},
                            {"eventId", event_id->second},
                            {"eventType", type->as_string()},
                            {"orderId", order_id->as_string()}};
    if (const auto* key = payment.if_contains("paymentKey"); key && key->is_string())
        out["paymentKey"] = key->as_string();
    if (const auto* status = payment.if_contains("status"); status && status->is_string()) {
        const auto mapped = contract_status(status->as_string());
        if (!mapped.empty()) out["status"] = mapped;
    }
    if (const auto* amount = payment.if_contains("totalAmount"); amount && amount->is_int64())
        out["amount"] = boost::json::object{{"amount", amount->as_int64()}, {"currency", "KRW"}};
    std::optional<std::string> when;
    if (const auto* created = event.if_contains("createdAt"); created && created->is_string())
        when = occurred_at(created->as_string());
    out["occurredAt"] = when ? *when : sdk::format_rfc3339(signature->timestamp * 1'000'000, true);
    return out;
}

}  // namespace admit::toss
