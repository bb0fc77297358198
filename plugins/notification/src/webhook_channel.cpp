#include "webhook_channel.hpp"

#include <sodium.h>

#include <array>

namespace admit::notification {

std::string webhook_signature(std::string_view secret, int64_t timestamp, std::string_view body) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    const std::string prefix = std::to_string(timestamp) + ".";
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                  prefix.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                  body.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    return std::string(hex.data(), crypto_auth_hmacsha256_BYTES * 2);
}

boost::json::object webhook_payload(std::string_view event_id, std::string_view topic,
                                    int64_t published_at_us, const boost::json::object& payload) {
    boost::json::object ids;
    for (const auto& field : payload) {
        const std::string_view key = field.key();
        const bool one = key.size() > 2 && key.ends_with("Id") && field.value().is_string();
        const bool many = key.size() > 3 && key.ends_with("Ids") && field.value().is_array();
        if (one || many) ids[key] = field.value();
    }
    return {{"id", event_id},
            {"type", topic},
            {"createdAt", sdk::format_rfc3339(published_at_us, true)},
            {"data", std::move(ids)}};
}

Attempt WebhookChannel::deliver(const Message& message) noexcept {
    try {
        return send(message);
    } catch (const std::exception& e) {
        return {.error = std::string("webhook delivery threw: ") + e.what()};
    }
}

Attempt WebhookChannel::send(const Message& message) {
    auto hook = hooks_.find(message.recipient);
    if (!hook) return {.error = "webhook lookup failed: " + hook.error().message};
    if (!*hook) return {.permanent = true, .error = "the webhook was deleted"};
    if ((*hook)->status != "ACTIVE")
        return {.permanent = true, .error = "the webhook is " + (*hook)->status};

    const int64_t timestamp = host_.now_us() / 1'000'000;
    sdk::HttpRequest request{
        .method = "POST",
        .url = (*hook)->url,
        .headers = {{"Content-Type", "application/json"},
                    {"User-Agent", "admit-webhooks/1"},
                    {"Admit-Event-Id", message.event_id},
                    {"Admit-Event-Type", message.event_type},
                    {"Admit-Delivery-Id", message.id},
                    {"Admit-Signature",
                     "t=" + std::to_string(timestamp) +
                         ",v1=" + webhook_signature((*hook)->secret, timestamp, message.data)}},
        .body = message.data,
        .connect_timeout_ms = timeout_ms_,
        .read_timeout_ms = timeout_ms_,
        .max_attempts = 1,  // retries are ours, with back-off
    };
    const int64_t started = host_.now_us();
    auto response = host_.http(request);
    const int64_t latency_ms = (host_.now_us() - started) / 1000;
    if (!response) {
        return {.error = std::string(sdk::http_not_sent(response.error()) ? "not sent: "
                                                                          : "no answer: ") +
                         response.error().message,
                .latency_ms = latency_ms};
    }
    Attempt attempt{.http_status = response->status, .latency_ms = response->latency_ms};
    if (response->status >= 200 && response->status < 300) {
        attempt.delivered = true;
    } else if (response->status == 410) {
        // Gone: the receiver asks us to stop, as with pretix.
        attempt.permanent = true;
        attempt.error = "410 Gone: the webhook was disabled";
        auto disabled =
            hooks_.disable((*hook)->id, "the receiver answered 410 Gone", host_.now_us());
        if (!disabled) attempt.error += " (disabling failed: " + disabled.error().message + ")";
    } else {
        attempt.error = "HTTP " + std::to_string(response->status);
    }
    return attempt;
}

}  // namespace admit::notification
