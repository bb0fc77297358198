#include "stream_relay.hpp"

namespace admit::queue {

sdk::Status StreamRelay::post(const std::string& schedule_id, boost::json::object update) {
    auto version = ctx_.host->redis().command(
        {"HINCRBY", QueueRedis::key(schedule_id, "meta"), "updates", "1"});
    if (!version) return std::move(version).error();
    update["scheduleId"] = schedule_id;
    update["version"] = version->integer;
    auto stored = ctx_.host->redis().command({"SET", QueueRedis::key(schedule_id, "update"),
                                              boost::json::serialize(update), "EX", "3600"});
    if (!stored) return std::move(stored).error();
    {
        std::lock_guard lock(sent_mutex_);
        auto& sent = sent_version_[schedule_id];
        if (version->integer <= sent) return {};  // a newer one went out (the relay sends this)
        sent = version->integer;
    }
    ctx_.host->publish_stream("queue:" + schedule_id, "update", update);
    return {};
}

void StreamRelay::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void StreamRelay::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void StreamRelay::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            relay_once();
        } catch (const std::exception& e) {  // never let the thread die on a bad summary
            ctx_.host->warn("queue: stream relay: ", e.what());
        }
        lock.lock();
        wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
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
    for (const auto& sid : schedules_) {
        auto reply = ctx_.host->redis().command({"GET", QueueRedis::key(sid, "update")});
        if (!reply || reply->type != sdk::RedisReply::Type::string) continue;
        boost::system::error_code ec;
        auto update = boost::json::parse(reply->str, ec);
        if (ec || !update.is_object()) continue;
        const auto* version = update.as_object().if_contains("version");
        if (version == nullptr || !version->is_int64()) continue;
        {
            std::lock_guard guard(sent_mutex_);
            auto& sent = sent_version_[sid];
            if (version->as_int64() == sent) continue;  // a lower one: Redis was rebuilt; send it
            sent = version->as_int64();
        }
        ctx_.host->publish_stream("queue:" + sid, "update", update);
    }
}

}  // namespace admit::queue
