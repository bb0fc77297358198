// Webhook deliveries: a signed HTTP POST of the message's minimal payload to the hook's URL
// through the host's outbound HTTP client. 2xx delivered; 410 disables the hook (the message
// dies); anything else is retried with back-off.
//
// Signature (as Stripe's): header `Admit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where
// the HMAC key is the hook's secret and the signed text is "<t>.<raw body>". Thread-safe.
#pragma once

#include "channel.hpp"
#include "webhook_store.hpp"

#include <admit/sdk.hpp>

#include <string>

namespace admit::notification {

/// hex(HMAC-SHA256(secret, "<timestamp>.<body>")): the v1 signature. Pure.
std::string webhook_signature(std::string_view secret, int64_t timestamp, std::string_view body);

/// The minimal pretix-style payload of an event: {"id", "type", "createdAt", "data"} where
/// data holds only the event's ids (string fields named "...Id" and string arrays named
/// "...Ids"); receivers re-fetch details through the API. Pure.
boost::json::object webhook_payload(std::string_view event_id, std::string_view topic,
                                    int64_t published_at_us, const boost::json::object& payload);

class WebhookChannel final : public Channel {
  public:
    /// `timeout_ms`: connect and read timeout of one attempt.
    WebhookChannel(sdk::Host& host, WebhookStore& hooks, uint32_t timeout_ms)
        : host_(host), hooks_(hooks), timeout_ms_(timeout_ms) {}
    std::string_view name() const noexcept override { return "webhook"; }
    Attempt deliver(const Message& message) noexcept override;

  private:
    Attempt send(const Message& message);

    sdk::Host& host_;
    WebhookStore& hooks_;
    uint32_t timeout_ms_;
};

}  // namespace admit::notification
