// A delivery channel: sends one message and says how it went. Implementations: InAppChannel
// (SSE to the recipient's open streams), EmailChannel (SMTP), WebhookChannel (signed HTTP POST).
#pragma once

#include "message_store.hpp"

#include <string_view>

namespace admit::notification {

class Channel {
  public:
    virtual ~Channel() = default;
    /// "in_app", "email" or "webhook": the messages' channel column.
    virtual std::string_view name() const noexcept = 0;
    /// Sends `message` (may block on the network, bounded by the channel's timeouts). Never
    /// throws; called from the delivery job's thread, one message at a time per channel.
    virtual Attempt deliver(const Message& message) noexcept = 0;
};

/// In-app: the message is already readable through GET /api/v1/notifications once created;
/// delivering it announces it on the SSE topic "notifications:{userId}" (event "notification").
class InAppChannel final : public Channel {
  public:
    explicit InAppChannel(const sdk::Host& host) : host_(host) {}
    std::string_view name() const noexcept override { return "in_app"; }
    Attempt deliver(const Message& message) noexcept override;

  private:
    const sdk::Host& host_;
};

}  // namespace admit::notification
