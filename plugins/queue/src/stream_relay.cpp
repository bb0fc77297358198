#include "stream_relay.hpp"

#include "update_coalescing.hpp"

namespace admit::queue {

sdk::Status StreamRelay::post(const std::string& schedule_id, boost::json::object update) {
    update["scheduleId"] = schedule_id;
    auto version =
        ctx_.redis->post_update(schedule_id, boost::json::serialize(update), kKeptSummaries);
    if (!version) return std::move(version).error();
    // Sent from the recent list, not as posted: summaries other hosts posted since this host's
    // last message go out with it (their admissions merged).
    relay_schedule(schedule_id);
    return {};
}

void StreamRelay::relay_once() {
    const auto now = std::chrono::steady_clock::now();
    if (now - listed_ > std::chrono::seconds(2)) {
        // Live lines, and lines that changed lately (a SOLD_OUT summary still has to go out).
        auto rows = ctx_.host->db().exec(
            "SELECT schedule_id FROM queue.schedules WHERE phase IN ('PREQUEUE', 'OPEN') OR "
            "updated_at > now() - interval '10 minutes'");
        if (!rows) return;
        schedules_.clear();
        for (const auto& row : *rows) schedules_.push_back(row.text("schedule_id"));
        listed_ = now;
    }
    for (const auto& sid : schedules_) relay_schedule(sid);
}

void StreamRelay::relay_schedule(const std::string& schedule_id) {
    int64_t missed = 0;
    {
        // Held while reading and sending: this host's threads (the relay, a tick's post) never
        // send the same summary twice, nor an older one after a newer.
        std::lock_guard guard(sent_mutex_);
        const auto known = sent_version_.find(schedule_id);
        const std::optional<int64_t> sent =
            known == sent_version_.end() ? std::nullopt : std::optional<int64_t>(known->second);
        auto stored = ctx_.redis->recent_updates(schedule_id, sent, kFirstSightSummaries);
        if (!stored || stored->empty()) return;
        auto update = coalesce_updates(*stored, sent, kFirstSightSummaries);
        if (!update) return;
        sent_version_[schedule_id] = update->version;
        missed = update->missed;
        ctx_.host->publish_stream("queue:" + schedule_id, "update", update->message);
    }
    if (missed > 0)
        ctx_.host->warn("queue: ", missed, " stream summaries of ", schedule_id,
                        " were trimmed before this host relayed them (their admissions are "
                        "not on its streams; clients still see them when they poll)");
}

}  // namespace admit::queue
