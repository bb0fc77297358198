// Routes of the notification plugin: the caller's messages, read marks and preferences; the
// admins' dead letters. Webhook administration is in webhook_routes.cpp.
#include "notification_plugin.hpp"

#include "notification_contracts.hpp"

namespace admit::notification {

namespace {

boost::json::object preferences_json(const MessageStore::Preferences& preferences) {
    return {{"emailNonEssential", preferences.email_non_essential},
            {"language", preferences.language ? boost::json::value(*preferences.language)
                                              : boost::json::value(nullptr)}};
}

}  // namespace

sdk::Status NotificationPlugin::register_routes(sdk::Host& host) {
    ADMIT_TRY(host.route("GET", "/api/v1/notifications", "authenticated",
                         &NotificationPlugin::list_mine, this,
                         {.summary = "The caller's messages with their delivery status "
                                     "(read, channel, cursor, limit)",
                          .operation_id = "listNotifications",
                          .contract = contracts::list_mine()}));
    ADMIT_TRY(host.route("POST", "/api/v1/notifications/{id}/read", "authenticated",
                         &NotificationPlugin::mark_read, this,
                         {.summary = "Marks one of the caller's in-app messages read",
                          .operation_id = "markNotificationRead",
                          .contract = contracts::mark_read()}));
    ADMIT_TRY(host.route("GET", "/api/v1/notifications/preferences", "authenticated",
                         &NotificationPlugin::get_preferences, this,
                         {.summary = "The caller's notification preferences",
                          .operation_id = "getNotificationPreferences",
                          .contract = contracts::get_preferences()}));
    ADMIT_TRY(host.route("PUT", "/api/v1/notifications/preferences", "authenticated",
                         &NotificationPlugin::put_preferences, this,
                         {.summary = "Sets the caller's preferences (e-mail for non-essential "
                                     "messages, language)",
                          .operation_id = "setNotificationPreferences",
                          .contract = contracts::put_preferences()}));
    ADMIT_TRY(host.stream(
        "/api/v1/notifications/stream/{userId}", "authenticated", "notifications:{userId}",
        "The caller's new in-app messages as they are delivered (event 'notification')",
        [](const sdk::Request& request) -> sdk::Result<std::optional<boost::json::value>> {
            if (request.principal().subject() != request.param("userId"))
                return sdk::Error::not_found("no such stream");  // only one's own
            return std::optional<boost::json::value>();
        },
        {.operation_id = "streamNotifications", .contract = contracts::stream()}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/notifications/dead", "admin",
                         &NotificationPlugin::list_dead, this,
                         {.summary = "Messages that could not be delivered (every channel)",
                          .operation_id = "listDeadNotifications",
                          .contract = contracts::list_dead()}));
    return host.route("POST", "/api/v1/admin/notifications/{id}/retry", "admin",
                      &NotificationPlugin::retry_dead, this,
                      {.summary = "Queues a dead message again",
                       .operation_id = "retryNotification",
                       .contract = contracts::retry_dead()});
}

sdk::Response NotificationPlugin::list_mine(const sdk::Request& request) {
    auto limit = sdk::page_limit(request);
    if (!limit) return sdk::Response::from_error(limit.error());
    auto cursor = cursor_of(request);
    if (!cursor) return sdk::Response::from_error(cursor.error());
    std::optional<bool> read;
    if (auto text = request.query("read")) {
        if (*text != "true" && *text != "false")
            return sdk::Response::invalid_request("query parameter 'read' must be true or false");
        read = *text == "true";
    }
    std::optional<std::string> channel = request.query("channel");
    if (channel && *channel != "in_app" && *channel != "email")
        return sdk::Response::invalid_request("query parameter 'channel' must be in_app or email");
    auto rows = store_->list_for(std::string(request.principal().subject()), channel, read, *cursor,
                                 *limit + 1);
    if (!rows) return sdk::Response::from_error(rows.error());
    return page_of(std::move(*rows), *limit);
}

sdk::Response NotificationPlugin::mark_read(const sdk::Request& request) {
    auto marked = store_->mark_read(std::string(request.param("id")),
                                    std::string(request.principal().subject()), host_->now_us());
    if (!marked) return sdk::Response::from_error(marked.error());
    if (!*marked) return sdk::Response::error(404, "NOT_FOUND", "no such notification");
    return sdk::Response::json(200, message_json(**marked));
}

sdk::Response NotificationPlugin::get_preferences(const sdk::Request& request) {
    auto preferences = store_->preferences(nullptr, std::string(request.principal().subject()));
    if (!preferences) return sdk::Response::from_error(preferences.error());
    return sdk::Response::json(200, preferences_json(*preferences));
}

sdk::Response NotificationPlugin::put_preferences(const sdk::Request& request) {
    auto body = request.json_object();
    if (!body) return sdk::Response::from_error(body.error());
    auto email = sdk::fields::required_bool(*body, "emailNonEssential");
    if (!email) return sdk::Response::from_error(email.error());
    auto language = sdk::fields::optional_string(*body, "language");
    if (!language) return sdk::Response::from_error(language.error());
    if (*language && ((*language)->size() > 16 || (*language)->empty()))
        return sdk::Response::invalid_request("field 'language' must be a language tag");
    const MessageStore::Preferences preferences{*email, *language};
    auto saved = store_->set_preferences(std::string(request.principal().subject()), preferences,
                                         host_->now_us());
    if (!saved) return sdk::Response::from_error(saved.error());
    return sdk::Response::json(200, preferences_json(preferences));
}

sdk::Response NotificationPlugin::list_dead(const sdk::Request& request) {
    auto limit = sdk::page_limit(request);
    if (!limit) return sdk::Response::from_error(limit.error());
    auto cursor = cursor_of(request);
    if (!cursor) return sdk::Response::from_error(cursor.error());
    auto rows = store_->dead(*cursor, *limit + 1);
    if (!rows) return sdk::Response::from_error(rows.error());
    return page_of(std::move(*rows), *limit);
}

sdk::Response NotificationPlugin::retry_dead(const sdk::Request& request) {
    const std::string id(request.param("id"));
    auto found = store_->find(id);
    if (!found) return sdk::Response::from_error(found.error());
    if (!*found) return sdk::Response::error(404, "NOT_FOUND", "no message " + id);
    const Message& message = **found;
    if (message.status == "dead" && message.channel != "webhook" && !message.subject) {
        // Died of its template: render it again with the templates loaded now.
        boost::system::error_code ec;
        auto data = boost::json::parse(message.data, ec);
        if (ec || !data.is_object())
            return sdk::Response::error(422, "TEMPLATE_ERROR", "the message has no template data");
        auto preferences = store_->preferences(nullptr, message.recipient);
        if (!preferences) return sdk::Response::from_error(preferences.error());
        auto rendered = templates_->render(
            message.kind, preferences->language.value_or(templates_->default_language()),
            data.as_object());
        if (!rendered) return sdk::Response::error(422, "TEMPLATE_ERROR", rendered.error().message);
        auto saved = store_->set_content(id, rendered->subject, rendered->body);
        if (!saved) return sdk::Response::from_error(saved.error());
    }
    auto retried = store_->retry(id, host_->now_us());
    if (!retried) {
        if (retried.error().is_conflict())
            return sdk::Response::error(409, "INVALID_STATE", retried.error().message);
        return sdk::Response::from_error(retried.error());
    }
    return sdk::Response::json(200, message_json(*retried));
}

}  // namespace admit::notification
