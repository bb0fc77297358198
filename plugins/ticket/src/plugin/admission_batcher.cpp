#include "admission_batcher.hpp"

#include "sql_text.hpp"
#include "ticket_issuer.hpp"

#include <admit/sdk/time_text.hpp>

#include <map>

namespace admit::ticket {

void AdmissionBatcher::start() {
    std::lock_guard lock(mutex_);
    if (running_) return;
    running_ = true;
    for (std::size_t i = 0; i < writer_count_; ++i) writers_.emplace_back([this] { run_writer(); });
}

void AdmissionBatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        running_ = false;
    }
    wake_.notify_all();
    for (auto& writer : writers_) writer.join();
    writers_.clear();
}

sdk::Result<AdmissionOutcome> AdmissionBatcher::admit(AdmissionRequest request) {
    auto pending = std::make_unique<Pending>();
    pending->request = std::move(request);
    auto future = pending->done.get_future();
    {
        std::lock_guard lock(mutex_);
        if (!running_) return sdk::Error::unavailable("check-in is not running");
        queue_.push_back(std::move(pending));
    }
    wake_.notify_one();
    return future.get();
}

void AdmissionBatcher::run_writer() {
    while (true) {
        std::vector<std::unique_ptr<Pending>> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return !queue_.empty() || !running_; });
            if (queue_.empty()) return;  // stopped and drained
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        write_batch(batch);
    }
}

void AdmissionBatcher::write_batch(std::vector<std::unique_ptr<Pending>>& batch) {
    boost::json::array rows;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& r = batch[i]->request;
        rows.push_back({{"idx", static_cast<int64_t>(i)},
                        {"id", r.ticket_id},
                        {"issue", r.issue},
                        {"at_us", r.at_us},
                        {"gate", r.gate},
                        {"staff", r.staff_id},
                        {"limited", r.limited_to_assignments}});
    }
    const std::string batch_json = boost::json::serialize(rows);
    const int64_t now = host_.now_us();
    std::vector<AdmissionOutcome> outcomes(batch.size());
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        for (auto& outcome : outcomes) outcome = {};
        // One row per ticket (the first eligible request of the batch for it); a later request for
        // the same ticket finds it USED below.
        auto admitted = tx.exec(
            "UPDATE ticket.tickets t SET status = 'USED', used_at = timestamptz 'epoch' + x.at_us "
            "* interval '1 microsecond', used_gate = NULLIF(x.gate, ''), used_by = x.staff, "
            "updated_at = " +
                sql_time(2) +
                // Per ticket, the first request of the batch that may admit it (current issue,
                // staff assigned); the outer conditions hold against concurrent writers.
                " FROM (SELECT DISTINCT ON (r.id) r.* FROM jsonb_to_recordset($1::jsonb) AS r(idx "
                "int, id text, issue int, at_us bigint, gate text, staff text, limited boolean) "
                "JOIN ticket.tickets c ON c.id = r.id AND c.issue = r.issue AND c.status = "
                "'ISSUED' WHERE NOT r.limited OR " +
                staff_may_work_sql("r.staff", "c.schedule_id", staff_scope_) +
                " ORDER BY r.id, r.idx) x WHERE t.id = x.id AND t.status = 'ISSUED' AND t.issue = "
                "x.issue "
                "RETURNING x.idx AS idx, " +
                ticket_columns(),
            batch_json, now);
        if (!admitted) return std::move(admitted).error();
        const auto admitted_rows = parse_tickets(*admitted);
        std::vector<bool> done(batch.size(), false);
        for (std::size_t i = 0; i < admitted_rows.size(); ++i) {
            const auto idx = static_cast<std::size_t>((*admitted)[i].int64("idx").value_or(-1));
            if (idx >= batch.size())
                return sdk::Error::internal("admission batch index out of range");
            const auto& row = admitted_rows[i];
            auto event = ticket_event(row);
            event["usedAt"] = sdk::format_rfc3339(row.used_us.value_or(0), true);
            event["gate"] = row.used_gate.empty() ? boost::json::value(nullptr)
                                                  : boost::json::value(row.used_gate);
            event["offline"] = false;
            ADMIT_TRY(tx.publish("ticket.checked_in", row.schedule_id, std::move(event),
                                 batch[idx]->request.staff_id));
            outcomes[idx].admitted = row;
            done[idx] = true;
        }
        // The others: the ticket as it is now, and whether the staff member may scan it.
        boost::json::array others;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (!done[i]) others.push_back(rows[i]);
        }
        if (others.empty()) return {};
        auto current = tx.exec(
            "SELECT x.idx AS idx, (NOT x.limited OR " +
                staff_may_work_sql("x.staff", "t.schedule_id", staff_scope_) + ") AS allowed, " +
                ticket_columns() +
                " FROM jsonb_to_recordset($1::jsonb) AS x(idx int, id text, staff text, limited "
                "boolean) JOIN ticket.tickets t ON t.id = x.id",
            boost::json::serialize(others));
        if (!current) return std::move(current).error();
        const auto current_rows = parse_tickets(*current);
        for (std::size_t i = 0; i < current_rows.size(); ++i) {
            const auto idx = static_cast<std::size_t>((*current)[i].int64("idx").value_or(-1));
            if (idx >= batch.size())
                return sdk::Error::internal("admission batch index out of range");
            outcomes[idx].current = current_rows[i];
            outcomes[idx].forbidden = !(*current)[i].boolean("allowed").value_or(false);
        }
        return {};
    });
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (status)
            batch[i]->done.set_value(std::move(outcomes[i]));
        else
            batch[i]->done.set_value(status.error());
    }
}

}  // namespace admit::ticket
