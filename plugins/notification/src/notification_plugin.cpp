#include "notification_plugin.hpp"

#include "email_channel.hpp"
#include "webhook_channel.hpp"

#include <sodium.h>

#include <cstdlib>

namespace admit::notification {

namespace {
constexpr int64_t kMicros = 1'000'000;

/// A positive integer setting, or INVALID_ARGUMENT naming it.
sdk::Result<int64_t> positive(const sdk::Host& host, std::string_view key, int64_t fallback) {
    const int64_t value = host.config_int(key, fallback);
    if (value <= 0)
        return sdk::Error::invalid("notification: " + std::string(key) + " must be > 0");
    return value;
}
}  // namespace

/// Config ([plugin.notification]): see README.md.
sdk::Status NotificationPlugin::read_settings(sdk::Host& host) {
    const std::string templates_dir = host.config_string("templates_dir", "");
    if (templates_dir.empty())
        return sdk::Error::invalid(
            "notification: templates_dir (the venue's message templates folder) is required");
    auto templates = TemplateSet::load(templates_dir, host.config_string("default_language", "en"),
                                       notice_kinds());
    if (!templates) return std::move(templates).error();
    templates_ = std::move(*templates);
    public_base_url_ = host.config_string("public_base_url", "http://127.0.0.1:8080");
    ADMIT_TRY_ASSIGN(const int64_t initial, positive(host, "backoff_initial_seconds", 60));
    ADMIT_TRY_ASSIGN(const int64_t max_backoff, positive(host, "backoff_max_seconds", 6 * 3600));
    ADMIT_TRY_ASSIGN(const int64_t max_age, positive(host, "max_age_seconds", 3 * 86400));
    ADMIT_TRY_ASSIGN(policy_.max_attempts, positive(host, "max_attempts", 30));
    ADMIT_TRY_ASSIGN(const int64_t lease, positive(host, "lease_seconds", 60));
    ADMIT_TRY_ASSIGN(policy_.batch, positive(host, "batch", 100));
    ADMIT_TRY_ASSIGN(const int64_t log_days, positive(host, "delivery_log_days", 30));
    policy_.initial_backoff_us = initial * kMicros;
    policy_.max_backoff_us = max_backoff * kMicros;
    policy_.max_age_us = max_age * kMicros;
    policy_.lease_us = lease * kMicros;
    delivery_log_us_ = log_days * 86400 * kMicros;
    return {};
}

sdk::Status NotificationPlugin::add_email_channel(sdk::Host& host) {
    SmtpSettings smtp;
    smtp.url = host.config_string("smtp_url", "");
    if (smtp.url.empty()) return {};  // no e-mail: in-app and webhooks only
    smtp.from = host.config_string("email_from", "");
    smtp.from_name = host.config_string("email_from_name", "");
    smtp.tls = host.config_string("smtp_tls", "required");
    smtp.ca_file = host.config_string("smtp_ca_file", "");
    ADMIT_TRY_ASSIGN(smtp.timeout_ms, positive(host, "smtp_timeout_ms", 10000));
    // Credentials only from the environment, named by the config.
    if (const char* user =
            std::getenv(host.config_string("smtp_user_env", "ADMIT_SMTP_USER").c_str()))
        smtp.user = user;
    if (const char* password =
            std::getenv(host.config_string("smtp_password_env", "ADMIT_SMTP_PASSWORD").c_str()))
        smtp.password = password;
    ADMIT_TRY_ASSIGN(const int64_t rate, positive(host, "email_per_second", 10));
    ADMIT_TRY_ASSIGN(auto channel, EmailChannel::create(host, std::move(smtp)));
    worker_->add(std::move(channel), static_cast<double>(rate));
    email_enabled_ = true;
    return {};
}

sdk::Status NotificationPlugin::init(sdk::Host& host) {
    host_ = &host;
    if (sodium_init() < 0) return sdk::Error::internal("notification: libsodium failed to start");
    ADMIT_TRY(read_settings(host));
    store_ = std::make_unique<MessageStore>(host.db());
    hooks_ = std::make_unique<WebhookStore>(host.db());
    worker_ = std::make_unique<DeliveryWorker>(*store_, policy_, [&host] { return host.now_us(); });
    ADMIT_TRY_ASSIGN(const int64_t in_app_rate, positive(host, "in_app_per_second", 1000));
    worker_->add(std::make_unique<InAppChannel>(host), static_cast<double>(in_app_rate));
    ADMIT_TRY_ASSIGN(const int64_t webhook_rate, positive(host, "webhook_per_second", 50));
    ADMIT_TRY_ASSIGN(const int64_t webhook_timeout, positive(host, "webhook_timeout_ms", 5000));
    worker_->add(
        std::make_unique<WebhookChannel>(host, *hooks_, static_cast<uint32_t>(webhook_timeout)),
        static_cast<double>(webhook_rate));

    ADMIT_TRY(add_email_channel(host));

    ADMIT_TRY(host.register_migrations());
    ADMIT_TRY(register_events(host));
    ADMIT_TRY(register_routes(host));
    ADMIT_TRY(register_webhook_routes(host));
    ADMIT_TRY_ASSIGN(const int64_t interval, positive(host, "delivery_interval_ms", 200));
    ADMIT_TRY(host.periodic_job("deliver", std::chrono::milliseconds(interval),
                                [this] { return worker_->run_once(); }));
    return host.periodic_job("forget_old_messages", std::chrono::hours(1), [this]() -> sdk::Status {
        auto forgotten = store_->forget_before(host_->now_us() - delivery_log_us_);
        if (!forgotten) return forgotten.error();
        return {};
    });
}

sdk::Status NotificationPlugin::register_events(sdk::Host& host) {
    for (const auto& topic : notice_topics()) {
        ADMIT_TRY(host.subscribe(
            topic, "people." + topic,
            [this](sdk::Tx& tx, const sdk::Event& event) { return on_event(tx, event); }));
    }
    return host.subscribe("*", "webhooks", [this](sdk::Tx& tx, const sdk::Event& event) {
        return on_any_event(tx, event);
    });
}

sdk::Status NotificationPlugin::on_any_event(sdk::Tx& tx, const sdk::Event& event) {
    ADMIT_TRY_ASSIGN(const auto hooks, hooks_->active(tx));
    std::optional<std::string> payload;
    for (const auto& hook : hooks) {
        if (!hook.wants(event.topic())) continue;
        if (!payload) {
            auto parsed = event.json();
            const boost::json::object fields =
                parsed && parsed->is_object() ? parsed->as_object() : boost::json::object{};
            payload = boost::json::serialize(
                webhook_payload(event.id(), event.topic(), event.published_at_us(), fields));
        }
        ADMIT_TRY(store_->create(tx,
                                 MessageDraft{.event_id = std::string(event.id()),
                                              .event_type = std::string(event.topic()),
                                              .kind = "webhook",
                                              .channel = "webhook",
                                              .recipient = hook.id,
                                              .data = *payload},
                                 host_->now_us()));
    }
    return {};
}

sdk::Status NotificationPlugin::on_event(sdk::Tx& tx, const sdk::Event& event) {
    auto payload = event.json();
    if (!payload || !payload->is_object()) return {};  // nothing to tell anyone
    auto notice = notice_for(event.topic(), payload->as_object(), public_base_url_);
    if (!notice) return {};
    ADMIT_TRY_ASSIGN(const auto preferences, store_->preferences(&tx, notice->recipient));
    const std::string language = preferences.language.value_or(templates_->default_language());

    MessageDraft draft{.event_id = std::string(event.id()),
                       .event_type = std::string(event.topic()),
                       .kind = notice->kind,
                       .channel = "in_app",
                       .recipient = notice->recipient,
                       .essential = notice->essential,
                       .data = boost::json::serialize(notice->data)};
    auto rendered = templates_->render(notice->kind, language, notice->data);
    if (rendered) {
        draft.subject = rendered->subject;
        draft.body = rendered->body;
    } else {
        // The event cannot be told with this venue's template: a dead letter an admin sees (and
        // can retry once the template is fixed), never a failing event delivery.
        draft.dead_reason = "template: " + rendered.error().message;
        host_->warn("notification: ", *draft.dead_reason);
    }
    const int64_t now = host_->now_us();
    ADMIT_TRY(store_->create(tx, draft, now));
    if (email_enabled_ && (notice->essential || preferences.email_non_essential)) {
        draft.channel = "email";
        ADMIT_TRY(store_->create(tx, draft, now));
    }
    return {};
}

}  // namespace admit::notification

ADMIT_PLUGIN(notification, admit::notification::NotificationPlugin, "0.1.0");
