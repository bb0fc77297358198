// The notification plugin: turns the events people care about into messages (in-app, e-mail,
// operators' webhooks), delivers them with a host job (back-off, rate limits, dead letters) and
// serves the recipients' and admins' routes. See plugins/notification/README.md.
//
// Threading: subscribers and routes run concurrently on host threads, the delivery job on the
// job thread; members are immutable after init() or thread-safe themselves.
#pragma once

#include "delivery_worker.hpp"
#include "list_paging.hpp"
#include "message_store.hpp"
#include "notice_catalog.hpp"
#include "template_set.hpp"
#include "webhook_store.hpp"

#include <admit/sdk.hpp>

#include <memory>
#include <optional>

namespace admit::notification {

class NotificationPlugin final : public sdk::Plugin {
  public:
    sdk::Status init(sdk::Host& host) override;

  private:
    sdk::Status read_settings(sdk::Host& host);
    /// The e-mail channel when smtp_url is set (credentials from the environment).
    sdk::Status add_email_channel(sdk::Host& host);
    sdk::Status register_events(sdk::Host& host);
    sdk::Status register_routes(sdk::Host& host);
    sdk::Status register_webhook_routes(sdk::Host& host);

    /// Creates the messages `event` gives its recipient (nothing for events nobody hears about).
    sdk::Status on_event(sdk::Tx& tx, const sdk::Event& event);
    /// Queues a delivery of `event` to every active webhook that wants its topic.
    sdk::Status on_any_event(sdk::Tx& tx, const sdk::Event& event);

    // Routes (notification_routes.cpp).
    sdk::Response list_mine(const sdk::Request& request);
    sdk::Response mark_read(const sdk::Request& request);
    sdk::Response get_preferences(const sdk::Request& request);
    sdk::Response put_preferences(const sdk::Request& request);
    sdk::Response list_dead(const sdk::Request& request);
    sdk::Response retry_dead(const sdk::Request& request);
    // Webhook routes (webhook_routes.cpp).
    sdk::Response create_webhook(const sdk::Request& request);
    sdk::Response list_webhooks(const sdk::Request& request);
    sdk::Response get_webhook(const sdk::Request& request);
    sdk::Response delete_webhook(const sdk::Request& request);
    sdk::Response enable_webhook(const sdk::Request& request);
    sdk::Response webhook_deliveries(const sdk::Request& request);

    sdk::Host* host_ = nullptr;
    std::optional<TemplateSet> templates_;
    std::unique_ptr<MessageStore> store_;
    std::unique_ptr<WebhookStore> hooks_;
    std::unique_ptr<DeliveryWorker> worker_;
    DeliveryPolicy policy_;
    std::string public_base_url_;
    bool email_enabled_ = false;
    int64_t delivery_log_us_ = 30LL * 86400 * 1'000'000;
};

}  // namespace admit::notification
