#include "host/http/pending_reply.hpp"

#include <utility>

#include <spdlog/spdlog.h>

namespace admit::http {

void PendingReply::add_step(Step step) {
    std::lock_guard lock(mutex_);
    steps_.push_back(std::move(step));
}

bool PendingReply::finish(Response response) {
    std::lock_guard lock(mutex_);
    if (given_ || cancelled_) return false;
    given_ = true;
    response_ = std::move(response);
    if (deliver_) deliver_locked();
    return true;
}

void PendingReply::on_ready(Deliver deliver) {
    std::lock_guard lock(mutex_);
    if (cancelled_) return;
    deliver_ = std::move(deliver);
    if (given_) deliver_locked();
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

// Runs the steps and the delivery with mutex_ held: cancel() waits for them, so a delivery never
// reaches a receiver that has already said it is gone. Both are short (headers, a post). Neither
// may throw past here: a failing step turns the answer into a 500, a failing delivery is logged.
void PendingReply::deliver_locked() {
    if (delivered_) return;
    delivered_ = true;
    Response response = std::move(*response_);
    response_.reset();
    Deliver deliver = std::exchange(deliver_, nullptr);
    std::vector<Step> steps = std::exchange(steps_, {});
    try {
        for (auto& step : steps) step(response);
    } catch (...) {
        spdlog::error("a step of a deferred response failed; answering 500");
        response = Response::error(500, "INTERNAL", "internal error", {});
    }
    try {
        deliver(std::move(response));
    } catch (...) {
        spdlog::error("delivering a deferred response failed");
    }
}

}  // namespace admit::http
