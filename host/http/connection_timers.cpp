// Connection, part 3: one timer per connection for request, idle and SSE heartbeat deadlines.
// See connection.hpp.
#include <algorithm>

#include "host/http/connection.hpp"

namespace admit::http::detail {
namespace {

std::chrono::milliseconds timer_granularity(const ServerOptions& options) {
    return std::max(std::chrono::milliseconds(1),
                    std::min({options.request_timeout, options.idle_timeout, options.sse_heartbeat,
                              options.stream_write_timeout}));
}

}  // namespace

// ---- deadlines --------------------------------------------------------------------------------

void Connection::set_deadline(Clock::duration after) {
    deadline_ = Clock::now() + after;
    if (!timer_armed_ || timer_.expiry() > deadline_) arm_timer();
}

// The timer wakes at the deadline or after the shortest configured timeout, whichever is first,
// so later deadlines (never shorter than that) need no re-arming on the hot path.
void Connection::arm_timer() {
    timer_armed_ = true;
    std::uint64_t generation = ++timer_generation_;
    timer_.expires_at(std::min(deadline_, Clock::now() + timer_granularity(core_.options)));
    timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
        if (generation != self->timer_generation_) return;
        self->timer_armed_ = false;
        self->on_timer(ec);
    });
}

void Connection::on_timer(beast::error_code ec) {
    if (ec || state_ == State::closed || deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < deadline_) {
        arm_timer();
        return;
    }
    switch (state_) {
        case State::streaming: {
            // A client that stopped reading (a write stalled) or a stream past its lifetime is
            // cut; EventSource reconnects with Last-Event-ID and misses nothing still held.
            const auto now = Clock::now();
            if (frame_writing_ &&
                now - frame_write_started_ >= core_.options.stream_write_timeout) {
                core_.metrics.sse_dropped().inc();
                close();
                break;
            }
            if (now - stream_started_ >= core_.options.stream_max_lifetime) {
                close();
                break;
            }
            enqueue_frame(std::make_shared<const std::string>(": heartbeat\n\n"));
            if (state_ == State::streaming) set_deadline(core_.options.sse_heartbeat);
            break;
        }
        case State::awaiting: {
            // The handler's deferred answer did not come in time. It may still come: the pending
            // reply keeps the first answer, this one, and drops the late one.
            clear_deadline();
            auto timeout = Response::error(
                503, "DEPENDENCY_UNAVAILABLE",
                "the request was not answered in time; retry shortly (with the same "
                "Idempotency-Key where the route takes one)",
                request_.trace_id);
            timeout.set_header("Retry-After", std::to_string(core_.options.retry_after_seconds));
            if (reply_) reply_->finish(std::move(timeout));
            break;
        }
        case State::handling:
        case State::closed:
            break;
        default: {
            timed_out_ = true;
            beast::error_code ignored;
            socket_.cancel(ignored);
        }
    }
}

}  // namespace admit::http::detail
