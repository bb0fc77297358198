// notification.webhooks: operators' endpoints (URL, event types, secret) and their state.
// Thread-safe (stateless over the host's database).
#pragma once

#include <admit/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace admit::notification {

struct Webhook {
    std::string id;
    std::string url;
    std::vector<std::string> event_types;  ///< topics, or prefixes ending in '*' ("*" = all)
    std::string secret;                    ///< never shown after creation
    std::string status;                    ///< ACTIVE | DISABLED | DELETED
    std::optional<std::string> disabled_reason;
    std::string created_by;
    int64_t created_us = 0;
    int64_t updated_us = 0;

    /// Whether this hook wants events of `topic`.
    bool wants(std::string_view topic) const;
};

/// The admin API shape: everything but the secret.
boost::json::object webhook_json(const Webhook& hook);

/// Admin changes of hooks commit with their event (notification.webhook_created, _deleted,
/// _enabled: {webhookId, eventTypes, actor}; never the secret or the URL), so the audit log sees
/// them.
class WebhookStore {
  public:
    explicit WebhookStore(sdk::Database& db) : db_(db) {}

    sdk::Result<Webhook> create(const std::string& url, const std::vector<std::string>& event_types,
                                const std::string& secret, const std::string& created_by,
                                int64_t now_us);
    /// Every hook that is not deleted, oldest first.
    sdk::Result<std::vector<Webhook>> list();
    /// A hook that is not deleted; nullopt otherwise.
    sdk::Result<std::optional<Webhook>> find(const std::string& id);
    /// ACTIVE hooks, read inside the event's transaction.
    sdk::Result<std::vector<Webhook>> active(sdk::Tx& tx);
    /// Marks the hook DELETED (its pending deliveries die when next attempted); false when there
    /// was no such hook.
    sdk::Result<bool> remove(const std::string& id, const std::string& actor, int64_t now_us);
    /// ACTIVE -> DISABLED with `reason` (a 410 from the receiver).
    sdk::Status disable(const std::string& id, const std::string& reason, int64_t now_us);
    /// DISABLED -> ACTIVE, forgetting why it was disabled; an ACTIVE hook stays as it is. The hook
    /// afterwards; nullopt when there is no such hook (or it was deleted).
    sdk::Result<std::optional<Webhook>> enable(const std::string& id, const std::string& actor,
                                               int64_t now_us);

  private:
    /// Runs `update` ($1 id, $2 now; it must RETURN the hook's columns) and, when it changed a
    /// hook, publishes `topic` for it in the same transaction. The changed hook, or nullopt.
    sdk::Result<std::optional<Webhook>> update_and_announce(const std::string& update,
                                                            const char* topic,
                                                            const std::string& id,
                                                            const std::string& actor,
                                                            int64_t now_us);

    sdk::Database& db_;
};

}  // namespace admit::notification
