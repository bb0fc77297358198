// Seller review (issue 13, abuse of business flows): a self-registered seller starts PENDING and
// its access tokens carry the role customer until an admin approves it. Admin routes of AuthPlugin
// that list sellers by review status and approve or reject them.
#include "auth_plugin.hpp"

#include <admit/sdk/paging.hpp>

#include <charconv>

namespace admit::auth {
namespace {

using sdk::Error;
using sdk::Request;
using sdk::Response;

bool is_review_status(std::string_view status) {
    return status == "PENDING" || status == "APPROVED" || status == "REJECTED";
}

/// The keyset of a page: after (created_us, id). An opaque "<created_us>.<id>" for the client.
struct SellerCursor {
    int64_t created_us = -1;
    std::string id;
};

std::optional<SellerCursor> parse_cursor(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) return std::nullopt;
    SellerCursor cursor;
    const char* end = text.data() + dot;
    if (std::from_chars(text.data(), end, cursor.created_us).ptr != end) return std::nullopt;
    cursor.id = std::string(text.substr(dot + 1));
    return cursor;
}

}  // namespace

Response AuthPlugin::list_sellers(const Request& request) {
    const std::string status = request.query("status").value_or("PENDING");
    if (!is_review_status(status))
        return Response::invalid_request(
            "query parameter 'status' must be PENDING, APPROVED or REJECTED");
    auto limit = sdk::page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    SellerCursor after;
    if (auto text = request.query("cursor")) {
        auto parsed = parse_cursor(*text);
        if (!parsed) return Response::invalid_request("query parameter 'cursor' is not a cursor");
        after = std::move(*parsed);
    }
    auto rows = host_->db().exec(
        "SELECT " + std::string(kUserColumns) +
            ", (extract(epoch from created_at) * 1000000)::bigint AS created_us "
            "FROM auth.users WHERE seller_status = $1 "
            "AND ((extract(epoch from created_at) * 1000000)::bigint, id) > ($2::bigint, $3) "
            "ORDER BY created_at, id LIMIT $4",
        status, after.created_us, after.id, *limit + 1);
    if (!rows) return failure_response(rows.error());
    boost::json::array items;
    boost::json::value next = nullptr;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto row = (*rows)[i];
        if (static_cast<int64_t>(i) == *limit) break;
        items.push_back(user_from_row(row).to_json());
        if (static_cast<int64_t>(i) + 1 == *limit && rows->size() > i + 1)
            next = std::to_string(row.int64("created_us").value_or(0)) + "." + row.text("id");
    }
    return Response::json(200, {{"items", std::move(items)}, {"nextCursor", std::move(next)}});
}

Response AuthPlugin::approve_seller(const Request& request) {
    return review_seller(request, "APPROVED");
}

Response AuthPlugin::reject_seller(const Request& request) {
    return review_seller(request, "REJECTED");
}

Response AuthPlugin::review_seller(const Request& request, const std::string& decision) {
    const std::string target(request.param("id"));
    const std::string actor(request.principal().subject());
    std::optional<User> after;
    auto status = host_->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto locked = lock_user(tx, target);
        if (!locked) return std::move(locked).error();
        if (!*locked || (*locked)->role != "seller") return Error::not_found("no seller " + target);
        const User before = **locked;
        if (before.seller_status == decision)
            return Error::state("the seller is " + decision + " already");
        User updated = before;
        updated.seller_status = decision;
        // Tokens issued before stop at once: the next refresh carries the reviewed role.
        updated.token_version = before.token_version + 1;
        auto written = tx.exec(
            "UPDATE auth.users SET seller_status = $2, token_version = $3, "
            "updated_at = to_timestamp($4) WHERE id = $1",
            target, decision, updated.token_version, now_seconds());
        if (!written) return std::move(written).error();
        after = updated;
        return tx.publish(decision == "APPROVED" ? "auth.seller_approved" : "auth.seller_rejected",
                          target,
                          {{"userId", target},
                           {"before", before.seller_status},
                           {"after", updated.seller_status}},
                          actor);
    });
    if (!status) {
        if (status.error().is_not_found()) return Response::from_error(status.error());
        if (status.error().is_state())
            return Response::error(409, "INVALID_STATE", status.error().message);
        return failure_response(status.error());
    }
    revocation_->user_changed(after->id, after->token_version, after->status);
    return Response::json(200, after->to_json());
}

}  // namespace admit::auth
