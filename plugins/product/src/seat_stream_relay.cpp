#include "seat_stream_relay.hpp"

#include <vector>

namespace admit::product {

void SeatStreamRelay::opened(const std::string& schedule_id,
                             std::optional<int64_t> snapshot_version) {
    {
        std::lock_guard lock(streams_mutex_);
        ++streams_[schedule_id].open;
    }
    if (!snapshot_version) return;
    std::lock_guard lock(sent_mutex_);
    // First sight: this host's streams continue from what the snapshot showed. Otherwise its
    // streams are already following; the new one gets what follows too.
    sent_.try_emplace(schedule_id, *snapshot_version);
}

void SeatStreamRelay::closed(const std::string& schedule_id) {
    std::lock_guard lock(streams_mutex_);
    auto it = streams_.find(schedule_id);
    if (it == streams_.end() || it->second.open <= 0) return;
    // The last one: followed for kResumeWindow more, for a reconnect with Last-Event-ID.
    if (--it->second.open == 0) it->second.closed = std::chrono::steady_clock::now();
}

bool SeatStreamRelay::watched(const std::string& schedule_id) const {
    std::lock_guard lock(streams_mutex_);
    const auto it = streams_.find(schedule_id);
    return it != streams_.end() &&
           (it->second.open > 0 ||
            std::chrono::steady_clock::now() - it->second.closed < kResumeWindow);
}

void SeatStreamRelay::changed(const SeatChange& change, std::optional<int64_t> version) {
    if (!version) {
        // Not in Redis, so no other host will hear of it: this host's streams at least do.
        publish_change_frames(host_, change, {});
        return;
    }
    if (!watched(change.schedule_id)) return;
    std::lock_guard lock(sent_mutex_);
    // A stream whose snapshot was not a Redis version: start just before this change.
    sent_.try_emplace(change.schedule_id, *version - 1);
    relay_schedule(change.schedule_id);
}

void SeatStreamRelay::relay_once() {
    std::vector<std::string> schedules;
    {
        std::lock_guard lock(streams_mutex_);
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(streams_, [&](const auto& entry) {
            return entry.second.open == 0 && now - entry.second.closed >= kResumeWindow;
        });
        schedules.reserve(streams_.size());
        for (const auto& [schedule_id, followed] : streams_) schedules.push_back(schedule_id);
    }
    std::lock_guard lock(sent_mutex_);
    for (const auto& schedule_id : schedules) relay_schedule(schedule_id);
    // Forget schedules no longer followed here: a later first stream starts from its own
    // snapshot.
    std::erase_if(sent_, [this](const auto& entry) { return !watched(entry.first); });
}

void SeatStreamRelay::relay_schedule(const std::string& schedule_id) {
    const auto known = sent_.find(schedule_id);
    const std::optional<int64_t> sent =
        known == sent_.end() ? std::nullopt : std::optional<int64_t>(known->second);
    auto read = map_.changes_after(schedule_id, sent);
    if (!read) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_warning_ > std::chrono::seconds(10)) {
            last_warning_ = now;
            host_.warn("seat stream relay: cannot read the changes of ", schedule_id, ": ",
                       read.error().message, " (retried every ", period_.count(), " ms)");
        }
        return;
    }
    if (!*read) {  // Redis lost the map: rebuild it; the next pass sees the version jump
        map_.ensure_loaded(schedule_id);
        return;
    }
    const ChangesAfter& after = **read;
    if (!sent) {  // first sight without a snapshot version: follow from now on
        sent_[schedule_id] = after.current;
        return;
    }
    if (after.current <= *sent) return;

    std::vector<RecordedChange> changes;
    bool missed = false;
    int64_t expected = *sent + 1;
    for (const auto& entry : after.entries) {
        auto change = parse_recorded_change(schedule_id, entry);
        if (!change || change->version != expected) {
            missed = true;
            break;
        }
        changes.push_back(std::move(*change));
        ++expected;
    }
    missed = missed || expected != after.current + 1;
    int64_t shown = *sent;
    if (missed) {
        // Trimmed from the list, applied without a record (a host of an older version) or a
        // rebuilt map: the whole map instead, then what came after it.
        auto snapshot = send_snapshot(schedule_id);
        if (!snapshot) return;  // the next pass tries again
        host_.info("seat stream relay: changes of ", schedule_id, " after version ", *sent,
                   " were no longer all recorded; sent a snapshot at version ", *snapshot);
        shown = *snapshot;
    }
    for (const auto& change : changes) {
        if (change.version <= shown) continue;
        publish_change_frames(host_, change.change, std::to_string(change.version));
        shown = change.version;
    }
    sent_[schedule_id] = shown;
    map_.invalidate(schedule_id);  // this host's seat map GET shows it at once too
}

std::optional<int64_t> SeatStreamRelay::send_snapshot(const std::string& schedule_id) {
    map_.invalidate(schedule_id);
    auto view = map_.view(schedule_id);
    if (!view) return std::nullopt;
    const auto version = map_version(view->version);
    if (!version) return std::nullopt;  // read from PostgreSQL: Redis is not back yet
    auto body = admit::sdk::parse_json(*view->body, "seat map");
    if (!body) return std::nullopt;
    host_.publish_stream("seats:" + schedule_id, "snapshot", *body, view->version);
    return version;
}

}  // namespace admit::product
