// StreamHub: fan-out of server-sent events from publishers to the open streams of a topic.
#pragma once

#include <deque>
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
//
// Resumption (SSE Last-Event-ID): once a topic published a frame with an id, its last
// `replay_frames` frames are kept in a ring, so a client that reconnects with the id of the last
// event it saw gets the frames after it instead of a fresh snapshot. Trap avoided: a reconnect that
// races a publish must neither miss nor repeat a frame, so replay and subscription happen under the
// one lock publish also takes. Rings of at most `replay_topics` topics are kept; past that, rings
// of topics nobody listens to are dropped first.
class StreamHub {
  public:
    // `delivered` (optional) counts frames handed to sinks; it must outlive the hub.
    explicit StreamHub(observe::Counter* delivered = nullptr, std::size_t replay_frames = 256,
                       std::size_t replay_topics = 4096)
        : delivered_(delivered), replay_frames_(replay_frames), replay_topics_(replay_topics) {}

    // Sends event `event_name` with `data` (any text; split into data: lines) to every open stream
    // of `topic`. Returns how many streams it was handed to.
    std::size_t publish(std::string_view topic, std::string_view event_name, std::string_view data,
                        std::string_view id = {});

    void subscribe(const std::string& topic, const std::shared_ptr<StreamSink>& sink);
    // Subscribes after handing `sink` every held frame published after the frame with id
    // `last_event_id`, and returns true; returns false and subscribes nothing when that id is no
    // longer (or never was) held: the caller then subscribes with a fresh snapshot.
    bool subscribe_after(const std::string& topic, std::string_view last_event_id,
                         const std::shared_ptr<StreamSink>& sink);
    void unsubscribe(const std::string& topic, const StreamSink* sink);
    std::size_t subscriber_count(std::string_view topic) const;

    // Calls close() on every sink and forgets them all.
    void close_all();

  private:
    struct HeldFrame {
        std::string id;
        std::shared_ptr<const std::string> frame;
    };
    void hold(const std::string& topic, std::string_view id,
              const std::shared_ptr<const std::string>& frame);  // under mutex_

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<std::weak_ptr<StreamSink>>> topics_;
    std::unordered_map<std::string, std::deque<HeldFrame>> held_;
    observe::Counter* delivered_;
    std::size_t replay_frames_;
    std::size_t replay_topics_;
};

}  // namespace admit::http
