#include "signing_message.hpp"

#include <cstring>

namespace admit::ticket {

SigningMessage::SigningMessage(std::string_view context,
                               std::initializer_list<std::span<const uint8_t>> parts) {
    std::size_t total = context.size();
    for (const auto& part : parts) total += part.size();
    if (total > buffer_.size()) {
        fits_ = false;
        return;
    }
    std::memcpy(buffer_.data(), context.data(), context.size());
    size_ = context.size();
    for (const auto& part : parts) {
        if (!part.empty()) std::memcpy(buffer_.data() + size_, part.data(), part.size());
        size_ += part.size();
    }
}

}  // namespace admit::ticket
