#include "claim_batcher.hpp"

#include <unordered_map>
#include <unordered_set>

namespace admit::reservation {

namespace {

// Both INSERTs take their rows in one global order, so two batches that race for the same
// key (possible only after Redis lost data) wait for each other instead of deadlocking.
constexpr std::string_view insert_reservations = R"sql(
INSERT INTO reservation.reservations
  (id, user_id, schedule_id, product_id, seating, grade_id, quantity, claim_ids, items, status,
   fencing_token, idempotency_key, expires_at, starts_at, subtotal, fees, total, currency,
   policy_revisions, created_at, updated_at)
SELECT x.id, x.user_id, x.schedule_id, x.product_id, x.seating, x.grade_id, x.quantity,
       ARRAY(SELECT jsonb_array_elements_text(x.claim_ids)), x.items, 'PENDING_PAYMENT',
       x.fencing_token, x.idempotency_key,
       timestamptz 'epoch' + x.expires_us * interval '1 microsecond',
       timestamptz 'epoch' + x.starts_us * interval '1 microsecond',
       x.subtotal, x.fees, x.total, x.currency, x.policy_revisions,
       timestamptz 'epoch' + x.created_us * interval '1 microsecond',
       timestamptz 'epoch' + x.created_us * interval '1 microsecond'
FROM jsonb_to_recordset($1::jsonb) AS x(id text, user_id text, schedule_id text, product_id text,
  seating text, grade_id text, quantity int, claim_ids jsonb, items jsonb, fencing_token bigint,
  idempotency_key text, expires_us bigint, starts_us bigint, subtotal bigint, fees bigint,
  total bigint, currency text, policy_revisions jsonb, created_us bigint)
ORDER BY x.user_id, x.idempotency_key, x.id
ON CONFLICT DO NOTHING
RETURNING id)sql";

constexpr std::string_view insert_claims = R"sql(
INSERT INTO reservation.claims (schedule_id, claim_id, reservation_id, fencing_token, status)
SELECT x.schedule_id, x.claim_id, x.reservation_id, x.fencing_token, 'HELD'
FROM jsonb_to_recordset($1::jsonb) AS x(schedule_id text, claim_id text, reservation_id text,
  fencing_token bigint)
ORDER BY x.schedule_id, x.claim_id
ON CONFLICT DO NOTHING
RETURNING reservation_id)sql";

constexpr std::string_view undo_claims =
    "DELETE FROM reservation.claims WHERE reservation_id IN (SELECT "
    "jsonb_array_elements_text($1::jsonb))";
constexpr std::string_view undo_reservations =
    "DELETE FROM reservation.reservations WHERE id IN (SELECT "
    "jsonb_array_elements_text($1::jsonb))";

boost::json::object reservation_row(const HoldRecord& r) {
    boost::json::array claims;
    for (const auto& id : r.claim_ids) claims.emplace_back(id);
    boost::json::object row{{"id", r.id},
                            {"user_id", r.user_id},
                            {"schedule_id", r.schedule_id},
                            {"product_id", r.product_id},
                            {"seating", r.general_admission ? "GENERAL_ADMISSION" : "RESERVED"},
                            {"quantity", r.quantity},
                            {"claim_ids", std::move(claims)},
                            {"items", r.items},
                            {"fencing_token", r.fencing_token},
                            {"expires_us", r.expires_us},
                            {"subtotal", r.subtotal},
                            {"fees", r.fees},
                            {"total", r.total},
                            {"currency", r.currency},
                            {"policy_revisions", r.policy_revisions},
                            {"created_us", r.created_us}};
    if (!r.grade_id.empty()) row["grade_id"] = r.grade_id;
    if (!r.idempotency_key.empty()) row["idempotency_key"] = r.idempotency_key;
    if (r.starts_us) row["starts_us"] = *r.starts_us;
    return row;
}

}  // namespace

void ClaimBatcher::start() {
    std::lock_guard lock(mutex_);
    if (running_) return;
    running_ = true;
    stopping_ = false;
    for (std::size_t i = 0; i < writer_count_; ++i) writers_.emplace_back([this] { run(); });
}

void ClaimBatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& writer : writers_) {
        if (writer.joinable()) writer.join();
    }
    std::lock_guard lock(mutex_);
    writers_.clear();
    running_ = false;
}

std::future<BatchOutcome> ClaimBatcher::submit(HoldRecord record) {
    Pending pending{std::move(record), {}, {}, std::chrono::steady_clock::now()};
    auto future = pending.done.get_future();
    enqueue(std::move(pending));
    return future;
}

void ClaimBatcher::submit(HoldRecord record, std::function<void(BatchOutcome)> done) {
    enqueue(Pending{std::move(record), {}, std::move(done), std::chrono::steady_clock::now()});
}

void ClaimBatcher::enqueue(Pending pending) {
    bool accepted = false;
    {
        std::lock_guard lock(mutex_);
        if (running_ && !stopping_) {
            queue_.push_back(std::move(pending));
            accepted = true;
        }
    }
    if (!accepted) {
        complete(pending, BatchOutcome::failed);
        return;
    }
    wake_.notify_one();
}

void ClaimBatcher::complete(Pending& pending, BatchOutcome outcome) noexcept {
    if (!pending.on_done) {
        pending.done.set_value(outcome);
        return;
    }
    try {
        pending.on_done(outcome);
    } catch (...) {
    }
}

uint64_t ClaimBatcher::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

uint64_t ClaimBatcher::holds() const {
    std::lock_guard lock(mutex_);
    return holds_;
}

void ClaimBatcher::run() {
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

void ClaimBatcher::write(std::vector<Pending>& batch) {
    const auto started = std::chrono::steady_clock::now();
    for (const auto& pending : batch) {
        metrics_.queued_seconds.observe(
            std::chrono::duration<double>(started - pending.submitted).count());
    }
    metrics_.batches.add();
    metrics_.holds.add(static_cast<double>(batch.size()));
    std::unordered_map<std::string, BatchOutcome> outcome;
    std::unordered_map<std::string, std::size_t> expected_claims;
    boost::json::array reservations;
    for (auto& pending : batch) {
        reservations.push_back(reservation_row(pending.record));
        outcome[pending.record.id] = BatchOutcome::duplicate;
        expected_claims[pending.record.id] = pending.record.claim_ids.size();
    }
    const std::string reservations_json = boost::json::serialize(reservations);

    sdk::Status status = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
        for (auto& [id, state] : outcome)
            state = BatchOutcome::duplicate;  // a retried body starts over
        auto inserted = tx.exec(insert_reservations, reservations_json);
        if (!inserted) return std::move(inserted).error();
        std::unordered_set<std::string> fresh;
        for (const auto& row : *inserted) fresh.insert(row.text("id"));

        boost::json::array claims;
        for (const auto& pending : batch) {
            const auto& r = pending.record;
            if (!fresh.count(r.id)) continue;
            for (const auto& claim : r.claim_ids) {
                claims.push_back(boost::json::object{{"schedule_id", r.schedule_id},
                                                     {"claim_id", claim},
                                                     {"reservation_id", r.id},
                                                     {"fencing_token", r.fencing_token}});
            }
        }
        std::unordered_map<std::string, std::size_t> claimed;
        if (!claims.empty()) {
            auto written = tx.exec(insert_claims, boost::json::serialize(claims));
            if (!written) return std::move(written).error();
            for (const auto& row : *written) ++claimed[row.text("reservation_id")];
        }
        boost::json::array refused;
        for (const auto& id : fresh) {
            if (claimed[id] == expected_claims[id]) {
                outcome[id] = BatchOutcome::committed;
            } else {
                outcome[id] = BatchOutcome::refused;
                refused.emplace_back(id);
            }
        }
        if (!refused.empty()) {
            const std::string refused_json = boost::json::serialize(refused);
            if (auto undone = tx.exec(undo_claims, refused_json); !undone)
                return std::move(undone).error();
            if (auto undone = tx.exec(undo_reservations, refused_json); !undone)
                return std::move(undone).error();
        }
        for (const auto& pending : batch) {
            if (outcome[pending.record.id] != BatchOutcome::committed) continue;
            // The buyer is the actor; Tx::publish stamps actor and time.
            if (auto s = tx.publish("reservation.held", pending.record.schedule_id,
                                    pending.record.held_event, pending.record.user_id);
                !s) {
                return s;
            }
        }
        return {};
    });
    metrics_.transaction_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!status) {
        log_error_("writing a batch of " + std::to_string(batch.size()) +
                   " holds failed: " + status.message());
        for (auto& [id, state] : outcome) state = BatchOutcome::failed;
    }
    {
        std::lock_guard lock(mutex_);
        ++batches_;
        holds_ += batch.size();
    }
    for (auto& pending : batch) complete(pending, outcome[pending.record.id]);
}

}  // namespace admit::reservation
