// The owner's routes: list, get (with codes and the ticket key), QR images, reissue.
#include "codes/qr_image.hpp"
#include "codes/rotating_code.hpp"
#include "ticket_plugin.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

using sdk::Request;
using sdk::Response;

boost::json::object owner_ticket_json(const TicketRow& row) {
    auto json = staff_ticket_json(row);
    json["productId"] = row.product_id;
    json["kid"] = row.kid;
    json["validFrom"] = sdk::format_rfc3339(row.valid_from_us);
    json["validUntil"] = sdk::format_rfc3339(row.valid_until_us);
    json["createdAt"] = sdk::format_rfc3339(row.created_us, true);
    json["code"] = row.static_code;  // the printed (static) code
    json["rotating"] = {{"signedTicket", row.signed_ticket},
                        {"ticketKey", row.ticket_seed},
                        {"windowSeconds", kWindowSeconds},
                        {"scheme", "admit-window/1"}};
    const std::string base = "/api/v1/tickets/" + row.id;
    json["qr"] = {{"svg", base + "/qr.svg"}, {"png", base + "/qr.png"}};
    return json;
}

Response TicketPlugin::answer(const Request& request, CheckinAnswer&& answer) {
    if (answer.status >= 400) answer.body["traceId"] = request.trace_id();
    return Response::json(answer.status, answer.body);
}

sdk::Result<std::optional<TicketRow>> TicketPlugin::owned(const Request& request) {
    const std::string id(request.param("ticketId"));
    auto found = store_->find(id);
    if (!found) return std::move(found).error();
    if (!*found || (*found)->user_id != request.principal().subject())
        return std::optional<TicketRow>{};
    return found;
}

Response TicketPlugin::list_mine(const Request& request) {
    auto limit = sdk::page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    const std::string cursor = request.query("cursor").value_or("");
    if (cursor.size() > 100)
        return Response::invalid_request("query parameter 'cursor' is invalid");
    auto rows =
        store_->list_for_user(std::string(request.principal().subject()), *limit + 1, cursor);
    if (!rows) return Response::from_error(rows.error());
    const bool more = static_cast<int64_t>(rows->size()) > *limit;
    if (more) rows->pop_back();
    boost::json::array items;
    for (const auto& row : *rows) items.push_back(owner_ticket_json(row));
    boost::json::value next =
        more ? boost::json::value(rows->back().id) : boost::json::value(nullptr);
    return Response::json(200, {{"items", std::move(items)}, {"nextCursor", std::move(next)}});
}

Response TicketPlugin::get_one(const Request& request) {
    auto found = owned(request);
    if (!found) return Response::from_error(found.error());
    if (!*found) {
        // Admins see any ticket, without its codes or key.
        if (request.principal().has_role("admin")) {
            auto any = store_->find(std::string(request.param("ticketId")));
            if (!any) return Response::from_error(any.error());
            if (*any) return Response::json(200, staff_ticket_json(**any));
        }
        return Response::error(404, "NOT_FOUND",
                               "no ticket " + std::string(request.param("ticketId")));
    }
    return Response::json(200, owner_ticket_json(**found));
}

Response TicketPlugin::qr_image(const Request& request, bool png) {
    auto found = owned(request);
    if (!found) return Response::from_error(found.error());
    if (!*found)
        return Response::error(404, "NOT_FOUND",
                               "no ticket " + std::string(request.param("ticketId")));
    auto image = png ? qr_png((*found)->static_code) : qr_svg((*found)->static_code);
    if (!image) return Response::from_error(image.error());
    auto response = Response::text(200, std::move(*image), png ? "image/png" : "image/svg+xml");
    response.header("Cache-Control", "private, no-store");
    return response;
}

Response TicketPlugin::reissue(const Request& request) {
    Refusal refusal;
    auto result = issuer_->reissue(std::string(request.param("ticketId")),
                                   std::string(request.principal().subject()), refusal);
    if (!result) return Response::from_error(result.error());
    if (!*result) return Response::error(refusal.http_status, refusal.code, refusal.message);
    return Response::json(200, owner_ticket_json(**result));
}

}  // namespace admit::ticket
