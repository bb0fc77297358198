// Admin routes for operators' webhooks: create, list, show, delete, re-enable one that a 410
// disabled, and each hook's delivery log (the last delivery_log_days, with status, HTTP status and
// latency).
#include "notification_plugin.hpp"

#include "notification_contracts.hpp"

#include <algorithm>

namespace admit::notification {

namespace {

bool valid_url(std::string_view url) {
    const bool scheme = url.starts_with("https://") || url.starts_with("http://");
    const auto host_start = url.find("://") + 3;
    return scheme && url.size() > host_start && url.size() <= 2048 &&
           std::none_of(url.begin(), url.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool valid_event_type(std::string_view type) {
    if (type == "*") return true;
    if (type.ends_with('*')) type.remove_suffix(1);
    return !type.empty() && type.size() <= 100 && std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

}  // namespace

sdk::Status NotificationPlugin::register_webhook_routes(sdk::Host& host) {
    ADMIT_TRY(host.route("POST", "/api/v1/admin/webhooks", "admin",
                         &NotificationPlugin::create_webhook, this,
                         {.summary = "Registers an operator's webhook (url, eventTypes, secret)",
                          .operation_id = "createWebhook",
                          .contract = contracts::create_webhook()}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/webhooks", "admin",
                         &NotificationPlugin::list_webhooks, this,
                         {.summary = "Operators' webhooks (without their secrets)",
                          .operation_id = "listWebhooks",
                          .contract = contracts::list_webhooks()}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/webhooks/{id}", "admin",
                         &NotificationPlugin::get_webhook, this,
                         {.summary = "One webhook",
                          .operation_id = "getWebhook",
                          .contract = contracts::get_webhook()}));
    ADMIT_TRY(host.route("DELETE", "/api/v1/admin/webhooks/{id}", "admin",
                         &NotificationPlugin::delete_webhook, this,
                         {.summary = "Deletes a webhook; its pending deliveries die",
                          .operation_id = "deleteWebhook",
                          .contract = contracts::delete_webhook()}));
    ADMIT_TRY(host.route("POST", "/api/v1/admin/webhooks/{id}/enable", "admin",
                         &NotificationPlugin::enable_webhook, this,
                         {.summary = "Re-enables a webhook that a 410 disabled; it receives the "
                                     "events published from now on",
                          .operation_id = "enableWebhook",
                          .contract = contracts::enable_webhook()}));
    return host.route("GET", "/api/v1/admin/webhooks/{id}/deliveries", "admin",
                      &NotificationPlugin::webhook_deliveries, this,
                      {.summary = "A webhook's delivery log: status, HTTP status, latency",
                       .operation_id = "listWebhookDeliveries",
                       .contract = contracts::webhook_deliveries()});
}

sdk::Response NotificationPlugin::create_webhook(const sdk::Request& request) {
    auto body = request.json_object();
    if (!body) return sdk::Response::from_error(body.error());
    auto url = sdk::fields::required_string(*body, "url");
    if (!url) return sdk::Response::from_error(url.error());
    if (!valid_url(*url))
        return sdk::Response::invalid_request(
            "field 'url' must be an absolute http:// or https:// URL of at most 2048 characters");
    auto types = sdk::fields::required_string_array(*body, "eventTypes");
    if (!types) return sdk::Response::from_error(types.error());
    if (types->size() > 50 || !std::all_of(types->begin(), types->end(),
                                           [](const auto& type) { return valid_event_type(type); }))
        return sdk::Response::invalid_request(
            "field 'eventTypes' must list at most 50 topics ('ticket.issued') or prefixes "
            "ending in '*' ('reservation.*', '*')");
    auto secret = sdk::fields::required_string(*body, "secret");
    if (!secret) return sdk::Response::from_error(secret.error());
    if (secret->size() < 16 || secret->size() > 256)
        return sdk::Response::invalid_request("field 'secret' must have 16 to 256 characters");
    auto hook = hooks_->create(*url, *types, *secret, std::string(request.principal().subject()),
                               host_->now_us());
    if (!hook) return sdk::Response::from_error(hook.error());
    return sdk::Response::json(201, webhook_json(*hook));
}

sdk::Response NotificationPlugin::list_webhooks(const sdk::Request&) {
    auto hooks = hooks_->list();
    if (!hooks) return sdk::Response::from_error(hooks.error());
    boost::json::array items;
    for (const auto& hook : *hooks) items.push_back(webhook_json(hook));
    return sdk::Response::json(
        200, boost::json::object{{"items", std::move(items)}, {"nextCursor", nullptr}});
}

sdk::Response NotificationPlugin::get_webhook(const sdk::Request& request) {
    auto hook = hooks_->find(std::string(request.param("id")));
    if (!hook) return sdk::Response::from_error(hook.error());
    if (!*hook) return sdk::Response::error(404, "NOT_FOUND", "no such webhook");
    return sdk::Response::json(200, webhook_json(**hook));
}

sdk::Response NotificationPlugin::delete_webhook(const sdk::Request& request) {
    auto removed = hooks_->remove(std::string(request.param("id")),
                                  std::string(request.principal().subject()), host_->now_us());
    if (!removed) return sdk::Response::from_error(removed.error());
    if (!*removed) return sdk::Response::error(404, "NOT_FOUND", "no such webhook");
    return sdk::Response::no_content();
}

sdk::Response NotificationPlugin::enable_webhook(const sdk::Request& request) {
    auto hook = hooks_->enable(std::string(request.param("id")),
                               std::string(request.principal().subject()), host_->now_us());
    if (!hook) return sdk::Response::from_error(hook.error());
    if (!*hook) return sdk::Response::error(404, "NOT_FOUND", "no such webhook");
    host_->info("notification: webhook ", (*hook)->id, " enabled by ",
                request.principal().subject());
    return sdk::Response::json(200, webhook_json(**hook));
}

sdk::Response NotificationPlugin::webhook_deliveries(const sdk::Request& request) {
    const std::string id(request.param("id"));
    auto hook = hooks_->find(id);
    if (!hook) return sdk::Response::from_error(hook.error());
    if (!*hook) return sdk::Response::error(404, "NOT_FOUND", "no such webhook");
    auto limit = sdk::page_limit(request);
    if (!limit) return sdk::Response::from_error(limit.error());
    auto cursor = cursor_of(request);
    if (!cursor) return sdk::Response::from_error(cursor.error());
    auto rows = store_->deliveries_of(id, host_->now_us() - delivery_log_us_, *cursor, *limit + 1);
    if (!rows) return sdk::Response::from_error(rows.error());
    return page_of(std::move(*rows), *limit);
}

}  // namespace admit::notification
