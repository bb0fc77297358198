#include "host/events/event_types.hpp"

namespace admit::events {

Result<Backend> parse_backend(const std::string& name) {
    if (name == "inproc") return Backend::inproc;
    if (name == "kafka") return Backend::kafka;
    return Error{ErrorCode::CONFIG_INVALID_VALUE,
                 "events.backend must be \"inproc\" or \"kafka\", not \"" + name + "\""};
}

bool topic_matches(const std::string& pattern, const std::string& topic) {
    if (!pattern.empty() && pattern.back() == '*') {
        return topic.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0 &&
               topic.size() >= pattern.size() - 1;
    }
    return pattern == topic;
}

void EventCounters::observe_lag(std::int64_t lag_us) {
    last_lag_us.store(lag_us, std::memory_order_relaxed);
    std::int64_t seen = max_lag_us.load(std::memory_order_relaxed);
    while (lag_us > seen && !max_lag_us.compare_exchange_weak(seen, lag_us)) {
    }
}

bool starved_by_pool(const Status& pass, EventCounters& counters) {
    if (pass || pass.error().code != ErrorCode::POOL_EXHAUSTED) return false;
    ++counters.starved;
    return true;
}

EventStats snapshot(const EventCounters& c) {
    EventStats s;
    s.published = c.published.load();
    s.relayed = c.relayed.load();
    s.delivered = c.delivered.load();
    s.duplicates = c.duplicates.load();
    s.retried = c.retried.load();
    s.parked = c.parked.load();
    s.batches = c.batches.load();
    s.batch_fallbacks = c.batch_fallbacks.load();
    s.cleaned = c.cleaned.load();
    s.starved = c.starved.load();
    s.last_lag_us = c.last_lag_us.load();
    s.max_lag_us = c.max_lag_us.load();
    return s;
}

}  // namespace admit::events
