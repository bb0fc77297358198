#include "channel.hpp"

namespace admit::notification {

Attempt InAppChannel::deliver(const Message& message) noexcept {
    try {
        host_.publish_stream("notifications:" + message.recipient, "notification",
                             message_json(message), message.id);
        return {.delivered = true};
    } catch (const std::exception& e) {
        return {.delivered = false, .error = e.what()};
    }
}

}  // namespace admit::notification
