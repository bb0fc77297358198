#include "host/http/stream_hub.hpp"

#include <algorithm>

#include "host/http/response.hpp"
#include "host/observe/metrics.hpp"

namespace admit::http {

std::size_t StreamHub::publish(std::string_view topic, std::string_view event_name,
                               std::string_view data, std::string_view id) {
    std::vector<std::shared_ptr<StreamSink>> targets;
    {
        std::lock_guard lock(mutex_);
        auto it = topics_.find(std::string(topic));
        if (it == topics_.end()) return 0;
        auto& sinks = it->second;
        std::erase_if(sinks, [&](const std::weak_ptr<StreamSink>& weak) {
            auto sink = weak.lock();
            if (!sink) return true;
            targets.push_back(std::move(sink));
            return false;
        });
        if (sinks.empty()) topics_.erase(it);
    }
    if (targets.empty()) return 0;
    auto frame = std::make_shared<const std::string>(format_sse_event(event_name, data, id));
    for (const auto& sink : targets) sink->deliver(frame);
    if (delivered_) delivered_->inc(targets.size());
    return targets.size();
}

void StreamHub::subscribe(const std::string& topic, const std::shared_ptr<StreamSink>& sink) {
    std::lock_guard lock(mutex_);
    topics_[topic].push_back(sink);
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
    }
    for (auto& sink : sinks) sink->close();
}

}  // namespace admit::http
