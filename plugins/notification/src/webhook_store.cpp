#include "webhook_store.hpp"

namespace admit::notification {

namespace {

constexpr const char* kColumns =
    "id, url, array_to_json(event_types) AS event_types, secret, status, disabled_reason, "
    "created_by, created_us, updated_us";

Webhook webhook_from(const sdk::Row& row) {
    Webhook hook;
    hook.id = row.text("id");
    hook.url = row.text("url");
    boost::system::error_code ec;
    auto types = boost::json::parse(row.text("event_types", "[]"), ec);
    if (!ec && types.is_array()) {
        for (const auto& type : types.as_array())
            if (type.is_string()) hook.event_types.emplace_back(type.as_string());
    }
    hook.secret = row.text("secret");
    hook.status = row.text("status");
    if (!row.is_null("disabled_reason")) hook.disabled_reason = row.text("disabled_reason");
    hook.created_by = row.text("created_by");
    hook.created_us = row.int64("created_us").value_or(0);
    hook.updated_us = row.int64("updated_us").value_or(0);
    return hook;
}

std::vector<Webhook> webhooks_from(const sdk::Rows& rows) {
    std::vector<Webhook> hooks;
    for (const auto& row : rows) hooks.push_back(webhook_from(row));
    return hooks;
}

}  // namespace

bool Webhook::wants(std::string_view topic) const {
    for (const auto& type : event_types) {
        if (!type.empty() && type.back() == '*') {
            if (topic.starts_with(std::string_view(type).substr(0, type.size() - 1))) return true;
        } else if (type == topic) {
            return true;
        }
    }
    return false;
}

namespace {
/// The event of an admin change of `hook`, in the change's transaction. Neither the secret nor
/// the URL (a receiver's URL may carry a token): the audit names the hook, the API shows it.
sdk::Status publish_change(sdk::Tx& tx, const char* topic, const Webhook& hook,
                           const std::string& actor) {
    boost::json::array types;
    for (const auto& type : hook.event_types) types.emplace_back(type);
    return tx.publish(topic, hook.id,
                      {{"webhookId", hook.id}, {"eventTypes", std::move(types)}, {"actor", actor}},
                      actor);
}
}  // namespace

boost::json::object webhook_json(const Webhook& hook) {
    boost::json::array types;
    for (const auto& type : hook.event_types) types.emplace_back(type);
    return {{"id", hook.id},
            {"url", hook.url},
            {"eventTypes", std::move(types)},
            {"status", hook.status},
            {"disabledReason", hook.disabled_reason ? boost::json::value(*hook.disabled_reason)
                                                    : boost::json::value(nullptr)},
            {"createdBy", hook.created_by},
            {"createdAt", sdk::format_rfc3339(hook.created_us, true)},
            {"updatedAt", sdk::format_rfc3339(hook.updated_us, true)}};
}

sdk::Result<Webhook> WebhookStore::create(const std::string& url,
                                          const std::vector<std::string>& event_types,
                                          const std::string& secret, const std::string& created_by,
                                          int64_t now_us) {
    boost::json::array types;
    for (const auto& type : event_types) types.emplace_back(type);
    std::optional<Webhook> created;
    auto status = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            std::string("INSERT INTO notification.webhooks (id, url, event_types, secret, status, "
                        "created_by, created_us, updated_us) SELECT $1, $2, array_agg(t), $4, "
                        "'ACTIVE', $5, $6, $6 FROM json_array_elements_text($3::json) AS t "
                        "RETURNING ") +
                kColumns,
            sdk::new_id("whk"), url, boost::json::serialize(types), secret, created_by, now_us);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return sdk::Error::internal("webhook insert returned no row");
        created = webhook_from(rows->front());
        return publish_change(tx, "notification.webhook_created", *created, created_by);
    });
    if (!status) return status.error();
    return std::move(*created);
}

sdk::Result<std::vector<Webhook>> WebhookStore::list() {
    auto rows = db_.exec(std::string("SELECT ") + kColumns +
                         " FROM notification.webhooks WHERE status <> 'DELETED' "
                         "ORDER BY created_us, id");
    if (!rows) return std::move(rows).error();
    return webhooks_from(*rows);
}

sdk::Result<std::optional<Webhook>> WebhookStore::find(const std::string& id) {
    auto rows = db_.exec(std::string("SELECT ") + kColumns +
                             " FROM notification.webhooks WHERE id = $1 AND status <> 'DELETED'",
                         id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Webhook>();
    return std::optional<Webhook>(webhook_from(rows->front()));
}

sdk::Result<std::vector<Webhook>> WebhookStore::active(sdk::Tx& tx) {
    auto rows = tx.exec(std::string("SELECT ") + kColumns +
                        " FROM notification.webhooks WHERE status = 'ACTIVE'");
    if (!rows) return std::move(rows).error();
    return webhooks_from(*rows);
}

sdk::Result<std::optional<Webhook>> WebhookStore::update_and_announce(const std::string& update,
                                                                      const char* topic,
                                                                      const std::string& id,
                                                                      const std::string& actor,
                                                                      int64_t now_us) {
    std::optional<Webhook> changed;
    auto status = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
        changed.reset();
        auto rows = tx.exec(update + " RETURNING " + kColumns, id, now_us);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return {};
        changed = webhook_from(rows->front());
        return publish_change(tx, topic, *changed, actor);
    });
    if (!status) return status.error();
    return changed;
}

sdk::Result<bool> WebhookStore::remove(const std::string& id, const std::string& actor,
                                       int64_t now_us) {
    auto removed = update_and_announce(
        "UPDATE notification.webhooks SET status = 'DELETED', updated_us = $2 WHERE id = $1 AND "
        "status <> 'DELETED'",
        "notification.webhook_deleted", id, actor, now_us);
    if (!removed) return std::move(removed).error();
    return removed->has_value();
}

sdk::Status WebhookStore::disable(const std::string& id, const std::string& reason,
                                  int64_t now_us) {
    auto updated = db_.exec(
        "UPDATE notification.webhooks SET status = 'DISABLED', disabled_reason = $2, "
        "updated_us = $3 WHERE id = $1 AND status = 'ACTIVE'",
        id, reason, now_us);
    if (!updated) return updated.error();
    return {};
}

sdk::Result<std::optional<Webhook>> WebhookStore::enable(const std::string& id,
                                                         const std::string& actor, int64_t now_us) {
    auto enabled = update_and_announce(
        "UPDATE notification.webhooks SET status = 'ACTIVE', disabled_reason = NULL, updated_us "
        "= $2 WHERE id = $1 AND status = 'DISABLED'",
        "notification.webhook_enabled", id, actor, now_us);
    if (!enabled) return std::move(enabled).error();
    if (*enabled) return enabled;
    return find(id);  // already ACTIVE (unchanged), or no such hook
}

}  // namespace admit::notification
