#include "host/observe/repeated_warning.hpp"

#include <utility>

#include <spdlog/spdlog.h>

namespace admit::observe {

RepeatedWarning::RepeatedWarning(std::string recovered, std::chrono::milliseconds repeat_every)
    : recovered_(std::move(recovered)), repeat_every_(repeat_every) {}

void RepeatedWarning::failed(const std::string& message) {
    std::lock_guard lock(mutex_);
    ++failures_;
    const auto now = Clock::now();
    if (message == last_message_ && now - last_logged_ < repeat_every_) {
        ++not_logged_;
        return;
    }
    if (not_logged_ > 0)
        spdlog::warn("{} (and {} more like it since the last such line)", message, not_logged_);
    else
        spdlog::warn("{}", message);
    last_message_ = message;
    last_logged_ = now;
    not_logged_ = 0;
}

void RepeatedWarning::succeeded() {
    std::lock_guard lock(mutex_);
    if (last_message_.empty()) return;
    spdlog::info("{} after {} failed attempts", recovered_, failures_);
    last_message_.clear();
    failures_ = 0;
    not_logged_ = 0;
}

}  // namespace admit::observe
