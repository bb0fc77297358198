#include "host/http/pending_reply.hpp"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace admit::http {

void PendingReply::add_step(Step step) {
    std::lock_guard lock(mutex_);
    steps_.push_back(std::move(step));
}

bool PendingReply::finish(Response response) {
    std::unique_lock lock(mutex_);
    if (given_ || cancelled_) return false;
    given_ = true;
    response_ = std::move(response);
    if (deliver_) deliver_locked(lock);
    return true;
}

void PendingReply::on_ready(Deliver deliver) {
    std::unique_lock lock(mutex_);
    if (cancelled_) return;
    deliver_ = std::move(deliver);
    if (given_) deliver_locked(lock);
}

void PendingReply::cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    deliver_ = nullptr;  // drops what it captured (the connection)
    response_.reset();
}

bool PendingReply::finished() const {
    std::lock_guard lock(mutex_);
    return given_;
}

// Runs the steps and the delivery under the lock: cancel() waits for them, so a delivery never
// reaches a receiver that has already said it is gone. Both are short (headers, a post).
void PendingReply::deliver_locked(std::unique_lock<std::mutex>& lock) {
    if (delivered_) return;
    delivered_ = true;
    Response response = std::move(*response_);
    response_.reset();
    for (auto& step : steps_) {
        try {
            step(response);
        } catch (const std::exception& e) {
            spdlog::error("a step of a deferred response threw: {}", e.what());
            response = Response::error(500, "INTERNAL", "internal error", {});
        } catch (...) {
            spdlog::error("a step of a deferred response threw a non-standard exception");
            response = Response::error(500, "INTERNAL", "internal error", {});
        }
    }
    Deliver deliver = std::move(deliver_);
    deliver_ = nullptr;
    steps_.clear();
    try {
        deliver(std::move(response));
    } catch (const std::exception& e) {
        spdlog::error("delivering a deferred response failed: {}", e.what());
    } catch (...) {
        spdlog::error("delivering a deferred response failed");
    }
    (void)lock;
}

}  // namespace admit::http
