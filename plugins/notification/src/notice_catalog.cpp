#include "notice_catalog.hpp"

namespace admit::notification {

namespace {

struct Rule {
    const char* topic;
    const char* kind;
    bool essential;
};

// One rule per topic; reservation.released and reservation.cancelled refine the kind by reason
// (notice_for).
constexpr Rule kRules[] = {
    {"reservation.held", "reservation_held", false},
    {"reservation.released", "reservation_expired", false},
    {"reservation.confirmed", "reservation_confirmed", true},
    {"reservation.cancelled", "reservation_cancelled", true},
    {"payment.approved", "payment_approved", true},
    {"payment.failed", "payment_failed", true},
    {"payment.refunded", "payment_refunded", true},
    {"ticket.issued", "ticket_issued", true},
    {"ticket.cancelled", "ticket_cancelled", true},
    {"ticket.reissued", "ticket_reissued", true},
    {"queue.admitted", "queue_admitted", true},
};
constexpr const char* kProductCancelled = "product_cancelled";

std::string text_of(const boost::json::object& payload, std::string_view key) {
    const auto* value = payload.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

const std::vector<std::string>& notice_topics() {
    static const std::vector<std::string> topics = [] {
        std::vector<std::string> all;
        for (const auto& rule : kRules) all.emplace_back(rule.topic);
        return all;
    }();
    return topics;
}

const std::vector<std::string>& notice_kinds() {
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> all;
        for (const auto& rule : kRules) all.emplace_back(rule.kind);
        all.emplace_back(kProductCancelled);
        return all;
    }();
    return kinds;
}

std::optional<Notice> notice_for(std::string_view topic, const boost::json::object& payload,
                                 std::string_view public_base_url) {
    const Rule* rule = nullptr;
    for (const auto& candidate : kRules)
        if (topic == candidate.topic) rule = &candidate;
    if (rule == nullptr) return std::nullopt;
    Notice notice{rule->kind, text_of(payload, "userId"), rule->essential, payload};
    if (notice.recipient.empty()) return std::nullopt;
    const std::string reason = text_of(payload, "reason");
    if (topic == "reservation.released") {
        // The buyer's own release needs no message; a payment failure has its own.
        if (reason == "PRODUCT_CANCELLED") {
            notice.kind = kProductCancelled;
            notice.essential = true;
        } else if (reason != "EXPIRED") {
            return std::nullopt;
        }
    }
    if (topic == "reservation.cancelled" && reason == "PRODUCT_CANCELLED")
        notice.kind = kProductCancelled;
    if (topic.starts_with("ticket.")) {
        const std::string ticket = text_of(payload, "ticketId");
        if (!ticket.empty()) {
            const std::string base = std::string(public_base_url) + "/api/v1/tickets/" + ticket;
            notice.data["ticketUrl"] = base;
            notice.data["qrUrl"] = base + "/qr.svg";
        }
    }
    return notice;
}

}  // namespace admit::notification
