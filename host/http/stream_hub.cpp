#include "host/http/stream_hub.hpp"

#include <algorithm>

#include "host/http/response.hpp"
#include "host/observe/metrics.hpp"

namespace admit::http {

std::size_t StreamHub::publish(std::string_view topic, std::string_view event_name,
                               std::string_view data, std::string_view id) {
    std::vector<std::shared_ptr<StreamSink>> targets;
    std::shared_ptr<const std::string> frame;
    {
        std::lock_guard lock(mutex_);
        const std::string key(topic);
        auto it = topics_.find(key);
        if (it != topics_.end()) {
            auto& sinks = it->second;
            std::erase_if(sinks, [&](const std::weak_ptr<StreamSink>& weak) {
                auto sink = weak.lock();
                if (!sink) return true;
                targets.push_back(std::move(sink));
                return false;
            });
            if (sinks.empty()) topics_.erase(it);
        }
        // A topic gets a ring with its first frame that has an id; from then on every frame of
        // it is held (a change sent as several frames names only its last one).
        const bool held = !id.empty() || held_.contains(key);
        if (targets.empty() && !held) return 0;
        frame = std::make_shared<const std::string>(format_sse_event(event_name, data, id));
        // Held and its targets taken under one lock: a sink that subscribe_after() adds later
        // gets this frame from the ring, a sink taken here gets it below; never both, never none.
        if (held) hold(key, id, frame);
    }
    if (targets.empty()) return 0;
    for (const auto& sink : targets) sink->deliver(frame);
    if (delivered_) delivered_->inc(targets.size());
    return targets.size();
}

void StreamHub::hold(const std::string& topic, std::string_view id,
                     const std::shared_ptr<const std::string>& frame) {
    if (replay_frames_ == 0) return;
    auto it = held_.find(topic);
    if (it == held_.end()) {
        if (held_.size() >= replay_topics_) {
            for (auto victim = held_.begin(); victim != held_.end(); ++victim) {
                if (!topics_.contains(victim->first)) {
                    held_.erase(victim);
                    break;
                }
            }
            if (held_.size() >= replay_topics_) held_.erase(held_.begin());
        }
        it = held_.emplace(topic, std::deque<HeldFrame>{}).first;
    }
    auto& ring = it->second;
    if (ring.size() >= replay_frames_) ring.pop_front();
    ring.push_back(HeldFrame{std::string(id), frame});
}

void StreamHub::subscribe(const std::string& topic, const std::shared_ptr<StreamSink>& sink) {
    std::lock_guard lock(mutex_);
    topics_[topic].push_back(sink);
}

bool StreamHub::subscribe_after(const std::string& topic, std::string_view last_event_id,
                                const std::shared_ptr<StreamSink>& sink) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(topic);
    if (it == held_.end() || last_event_id.empty()) return false;
    const auto& ring = it->second;
    auto seen = std::find_if(ring.rbegin(), ring.rend(),
                             [&](const HeldFrame& held) { return held.id == last_event_id; });
    if (seen == ring.rend()) return false;
    for (auto next = seen.base(); next != ring.end(); ++next) sink->deliver(next->frame);
    topics_[topic].push_back(sink);
    return true;
}

void StreamHub::unsubscribe(const std::string& topic, const StreamSink* sink) {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    std::erase_if(it->second, [&](const std::weak_ptr<StreamSink>& weak) {
        auto alive = weak.lock();
        return !alive || alive.get() == sink;
    });
    if (it->second.empty()) topics_.erase(it);
}

std::size_t StreamHub::subscriber_count(std::string_view topic) const {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(std::string(topic));
    if (it == topics_.end()) return 0;
    return static_cast<std::size_t>(std::count_if(
        it->second.begin(), it->second.end(), [](const auto& weak) { return !weak.expired(); }));
}

void StreamHub::close_all() {
    std::vector<std::shared_ptr<StreamSink>> sinks;
    {
        std::lock_guard lock(mutex_);
        for (auto& [topic, list] : topics_) {
            for (auto& weak : list) {
                if (auto sink = weak.lock()) sinks.push_back(std::move(sink));
            }
        }
        topics_.clear();
        held_.clear();
    }
    for (auto& sink : sinks) sink->close();
}

}  // namespace admit::http
