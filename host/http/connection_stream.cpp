// Connection, part 2: the server-sent event stream a connection becomes after a stream route
// answered (head, frames from the hub, slow-client cut-off, peer watch). See connection.hpp.
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "host/http/connection.hpp"

namespace admit::http::detail {
namespace {

// Forwards hub deliveries to a connection's executor; holds the connection weakly.
class ConnectionSink final : public StreamSink {
  public:
    explicit ConnectionSink(std::weak_ptr<Connection> connection)
        : connection_(std::move(connection)) {}
    void deliver(std::shared_ptr<const std::string> frame) override {
        if (auto connection = connection_.lock()) connection->post_frame(std::move(frame));
    }
    void close() override {
        if (auto connection = connection_.lock()) {
            net::post(connection->executor(), [connection] { connection->close(); });
        }
    }

  private:
    std::weak_ptr<Connection> connection_;
};

}  // namespace

// ---- SSE --------------------------------------------------------------------------------------

void Connection::start_stream() {
    stream_end_ = std::move(result_.stream_end);
    if (core_.stopping.load(std::memory_order_relaxed)) {
        close();
        return;
    }
    state_ = State::streaming;
    stream_started_ = Clock::now();
    topic_ = *result_.stream_topic;
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: keep-alive\r\nX-Accel-Buffering: no\r\nX-Trace-Id: " +
        request_.trace_id + "\r\n";
    for (const auto& [name, value] : result_.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    core_.metrics.record_request(
        result_.route_label, method_label_, 200,
        std::chrono::duration<double>(Clock::now() - request_start_).count());
    sink_ = std::make_shared<ConnectionSink>(weak_from_this());
    // A reconnect naming the last event it saw gets what followed it, while the hub still holds
    // that event; otherwise (or without Last-Event-ID) the route's snapshot. The replayed frames
    // are posted to this executor, so they follow the head queued below.
    auto last_event_id = request_.header("last-event-id");
    bool resumed = last_event_id && core_.hub.subscribe_after(topic_, *last_event_id, sink_);
    if (!resumed) {
        head += result_.stream_first_event;
        core_.hub.subscribe(topic_, sink_);
    }
    frames_.push_back(std::make_shared<const std::string>(std::move(head)));
    core_.metrics.sse_streams().inc();
    set_deadline(core_.options.sse_heartbeat);
    write_next_frame();
    watch_stream_peer();
}

void Connection::post_frame(std::shared_ptr<const std::string> frame) {
    net::post(socket_.get_executor(),
              [self = shared_from_this(), frame = std::move(frame)]() mutable {
                  self->enqueue_frame(std::move(frame));
              });
}

void Connection::enqueue_frame(std::shared_ptr<const std::string> frame) {
    if (state_ != State::streaming) return;
    if (frames_.size() >= core_.options.sse_buffer_events) {
        core_.metrics.sse_dropped().inc();
        spdlog::warn("dropping SSE stream of topic {} for {}: client too slow", topic_,
                     request_.remote_addr);
        close();
        return;
    }
    frames_.push_back(std::move(frame));
    write_next_frame();
}

void Connection::write_next_frame() {
    if (frame_writing_ || frames_.empty()) return;
    frame_writing_ = true;
    frame_write_started_ = Clock::now();
    auto frame = frames_.front();
    net::async_write(socket_, net::buffer(*frame),
                     [self = shared_from_this(), frame](beast::error_code ec, std::size_t) {
                         self->frame_writing_ = false;
                         if (self->state_ != State::streaming) return;
                         if (ec) {
                             self->close();
                             return;
                         }
                         self->frames_.pop_front();
                         self->write_next_frame();
                     });
}

// Reads (and ignores) whatever the client sends, to notice when it goes away.
void Connection::watch_stream_peer() {
    socket_.async_read_some(net::buffer(peer_scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                if (self->state_ != State::streaming) return;
                                if (ec) {
                                    self->close();
                                    return;
                                }
                                self->watch_stream_peer();
                            });
}

}  // namespace admit::http::detail
