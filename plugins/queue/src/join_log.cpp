#include "join_log.hpp"

namespace admit::queue {

namespace {

constexpr std::string_view upsert_joins = R"sql(
INSERT INTO queue.joins (schedule_id, user_id, join_id, prequeue, seq, state, joined_at)
SELECT x.schedule_id, x.user_id, x.join_id, x.prequeue, x.seq, 'WAITING',
       timestamptz 'epoch' + x.joined_us * interval '1 microsecond'
FROM jsonb_to_recordset($1::jsonb) AS x(schedule_id text, user_id text, join_id text,
  prequeue boolean, seq bigint, joined_us bigint)
ORDER BY x.schedule_id, x.user_id
ON CONFLICT (schedule_id, user_id) DO UPDATE
  SET round = queue.joins.round + 1, join_id = EXCLUDED.join_id, prequeue = EXCLUDED.prequeue,
      seq = EXCLUDED.seq, state = 'WAITING', joined_at = EXCLUDED.joined_at, admitted_at = NULL,
      admit_fence = NULL, token_expires_at = NULL, converted = false, updated_at = now()
  WHERE queue.joins.state IN ('LEFT', 'EXPIRED', 'SOLD_OUT')
     OR (queue.joins.state = 'ADMITTED' AND queue.joins.token_expires_at < EXCLUDED.joined_at)
RETURNING schedule_id, user_id, join_id, round, prequeue, seq)sql";

}  // namespace

void JoinLog::start() {
    std::lock_guard lock(mutex_);
    if (running_) return;
    running_ = true;
    stopping_ = false;
    writer_ = std::thread([this] { run(); });
}

void JoinLog::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable()) writer_.join();
    std::lock_guard lock(mutex_);
    running_ = false;
}

std::future<bool> JoinLog::submit(JoinRecord record) {
    Pending pending{std::move(record), {}};
    auto future = pending.done.get_future();
    {
        std::lock_guard lock(mutex_);
        if (!running_ || stopping_) {
            pending.done.set_value(false);
            return future;
        }
        queue_.push_back(std::move(pending));
    }
    wake_.notify_one();
    return future;
}

uint64_t JoinLog::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

void JoinLog::run() {
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        write(batch);
    }
}

void JoinLog::write(std::vector<Pending>& batch) {
    boost::json::array rows;
    for (const auto& pending : batch) {
        const auto& r = pending.record;
        rows.push_back(boost::json::object{{"schedule_id", r.schedule_id},
                                           {"user_id", r.user_id},
                                           {"join_id", r.join_id},
                                           {"prequeue", r.prequeue},
                                           {"seq", r.seq},
                                           {"joined_us", r.joined_us}});
    }
    const std::string json = boost::json::serialize(rows);
    const sdk::Status status = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto written = tx.exec(upsert_joins, json);
        if (!written) return std::move(written).error();
        for (const auto& row : *written) {
            const std::string schedule = row.text("schedule_id");
            // The joining user is the actor; Tx::publish stamps actor and time.
            if (auto s = tx.publish("queue.joined", schedule,
                                    {{"scheduleId", schedule},
                                     {"userId", row.text("user_id")},
                                     {"joinId", row.text("join_id")},
                                     {"round", row.int64("round").value_or(1)},
                                     {"prequeue", row.text("prequeue") == "t"},
                                     {"seq", row.int64("seq").value_or(0)}},
                                    row.text("user_id"));
                !s)
                return s;
        }
        return {};
    });
    if (!status) {
        log_error_("writing a batch of " + std::to_string(batch.size()) +
                   " joins failed: " + status.message());
    }
    {
        std::lock_guard lock(mutex_);
        ++batches_;
    }
    for (auto& pending : batch) pending.done.set_value(static_cast<bool>(status));
}

}  // namespace admit::queue
