// StreamHub: fan-out of server-sent events from publishers to the open streams of a topic.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace admit::observe {
class Counter;
}

namespace admit::http {

// One open stream. Implemented by the server's connections; tests may implement it too.
class StreamSink {
  public:
    virtual ~StreamSink() = default;
    // Hands over one complete SSE frame. Called from any thread; must not block (queue and return).
    virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
    // Asks the stream to close (server stopping). Called from any thread; must not block.
    virtual void close() = 0;
};

// Thread-safe. Holds sinks weakly: a sink that dies without unsubscribing is pruned on the next
// publish. Publishing formats the frame once and shares it among the topic's sinks.
class StreamHub {
  public:
    // `delivered` (optional) counts frames handed to sinks; it must outlive the hub.
    explicit StreamHub(observe::Counter* delivered = nullptr) : delivered_(delivered) {}

    // Sends event `event_name` with `data` (any text; split into data: lines) to every open stream
    // of `topic`. Returns how many streams it was handed to.
    std::size_t publish(std::string_view topic, std::string_view event_name, std::string_view data,
                        std::string_view id = {});

    void subscribe(const std::string& topic, const std::shared_ptr<StreamSink>& sink);
    void unsubscribe(const std::string& topic, const StreamSink* sink);
    std::size_t subscriber_count(std::string_view topic) const;

    // Calls close() on every sink and forgets them all.
    void close_all();

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<std::weak_ptr<StreamSink>>> topics_;
    observe::Counter* delivered_;
};

}  // namespace admit::http
