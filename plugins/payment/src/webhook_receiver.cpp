#include "webhook_receiver.hpp"

#include <cctype>

namespace admit::payment {

using sdk::Response;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

boost::json::object headers_of(const sdk::Request& request) {
    boost::json::object headers;
    const auto* raw = request.raw();
    for (uint32_t i = 0; i < raw->header_count; ++i) {
        headers[lower(sdk::from_abi(raw->headers[i].key))] =
            std::string(sdk::from_abi(raw->headers[i].value));
    }
    return headers;
}

}  // namespace

Response WebhookReceiver::receive(const sdk::Request& request) {
    if (request.param("provider") != provider_.name())
        return Response::error(404, "NOT_FOUND",
                               "no payment provider " + std::string(request.param("provider")));
    auto event = provider_.verify_webhook(headers_of(request), request.body());
    if (!event) return Response::from_error(event.error());
    if (!event->valid)
        return Response::error(401, "UNAUTHENTICATED", "webhook refused: " + event->reason);

    auto found = store_.find_by_order(event->order_id);
    if (!found) return Response::from_error(found.error());
    bool duplicate = false;
    std::optional<PaymentRow> moved;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto recorded = tx.exec(
            "INSERT INTO payment.webhook_events (provider, event_id, order_id, event_type, "
            "received_at) VALUES ($1, $2, $3, $4, " +
                sql_time(5) + ") ON CONFLICT DO NOTHING",
            provider_.name(), event->event_id, event->order_id, event->event_type, host_.now_us());
        if (!recorded) return std::move(recorded).error();
        if (recorded->affected == 0) {
            duplicate = true;
            return {};
        }
        if (!*found) return {};  // not ours (or not yet): recorded, nothing to change
        const PaymentRow& row = **found;
        boost::json::object details{{"eventId", event->event_id},
                                    {"eventType", event->event_type},
                                    {"status", event->status}};
        if (event->amount) details["amount"] = *event->amount;
        if (auto s = ledger_.log(tx, row.id, "webhook", event->status, details); !s) return s;
        PaymentLedger::Changed changed = std::optional<PaymentRow>{};
        if (event->status == "APPROVED" && event->amount) {
            if (row.status == "FAILED") {
                return ledger_.raise_problem(tx, row, "APPROVED_AFTER_FAILED", details);
            }
            changed = ledger_.approve(tx, row.id, *event->amount, event->payment_key, std::nullopt,
                                      "webhook");
        } else if (event->status == "DECLINED") {
            changed = ledger_.fail(tx, row.id, "DECLINED", "declined (provider webhook)", "system");
        }
        if (!changed) return std::move(changed).error();
        moved = *changed;
        return {};
    });
    if (!status) return Response::from_error(status.error());
    if (moved && moved->status == "APPROVED") {
        metrics_.approved.add();
        if (auto outcome = saga_.complete_approved(*moved); !outcome)
            host_.warn("saga of payment ", moved->id,
                       " left to the subscriber: ", outcome.error().message);
    } else if (moved && moved->status == "FAILED") {
        metrics_.failed.add();
        if (auto s = saga_.complete_failed(moved->id); !s)
            host_.warn("release after payment ", moved->id,
                       " left to the subscriber: ", s.message());
    }
    return Response::json(200, {{"received", true}, {"duplicate", duplicate}});
}

}  // namespace admit::payment
