#include "refund_quote.hpp"

#include <admit/sdk/time_text.hpp>

#include <algorithm>
#include <limits>

namespace admit::reservation {
namespace {

int64_t integer_field(const boost::json::object& decision, std::string_view name) {
    const auto* value = decision.if_contains(name);
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64())
        return static_cast<int64_t>(
            std::min<uint64_t>(value->as_uint64(), std::numeric_limits<int64_t>::max()));
    return 0;
}

}  // namespace

sdk::Result<RefundQuote> quote_refund(const sdk::Host& host, const ReservationRow& row) {
    boost::json::object input{{"paid", row.total}};
    input["performanceAt"] = row.starts_us ? *row.starts_us / 1'000'000 : host.now_us() / 1'000'000;
    auto decision = host.policy("refunds", input);
    if (!decision) return std::move(decision).error();
    RefundQuote quote;
    quote.paid = row.total;
    quote.revision = decision->revision;
    if (const auto* object = decision->decision.if_object()) {
        quote.amount = std::clamp<int64_t>(integer_field(*object, "amount"), 0, row.total);
        quote.share_percent = std::clamp<int64_t>(integer_field(*object, "sharePercent"), 0, 100);
        if (const auto* rule = object->if_contains("rule"); rule && rule->is_string())
            quote.rule = std::string(rule->as_string());
        if (const auto* fallback = object->if_contains("fallback"); fallback && fallback->is_bool())
            quote.fallback = fallback->as_bool();
    }
    return quote;
}

boost::json::object refund_quote_json(const ReservationRow& row, const RefundQuote& quote,
                                      int64_t now_us) {
    return {{"reservationId", row.id},
            {"paid", money(quote.paid, row.currency)},
            {"refund", money(quote.amount, row.currency)},
            {"sharePercent", quote.share_percent},
            {"rule", quote.rule},
            {"policyRevision", quote.revision},
            {"fallback", quote.fallback},
            {"quotedAt", sdk::format_rfc3339(now_us, /*with_millis=*/true)}};
}

}  // namespace admit::reservation
