#include "admission_batcher.hpp"

#include "entry_statements.hpp"
#include "sql_text.hpp"

#include <functional>
#include <map>

namespace admit::ticket {

namespace {
/// $1: the batch [{idx, id, issue, at_us, gate, staff, limited, day, rev}], $2: now (us).
/// Answers one row per admitted request (src 'A', the updated ticket) and one per other request
/// whose ticket exists (src 'C', the ticket as this statement found it, and whether the staff
/// member may work at its schedule).
std::string batch_sql(StaffScope scope) {
    const std::string columns = staff_ticket_columns();
    return "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(idx int, id text, issue "
           "int, at_us bigint, gate text, staff text, limited boolean, day bigint, rev text)), "
           // Per ticket, the first request of the batch that may admit it.
           "pick AS (SELECT DISTINCT ON (r.id) r.* FROM r JOIN ticket.tickets c ON c.id = r.id "
           "AND c.issue = r.issue AND c.status = 'ISSUED' WHERE NOT r.limited OR " +
           staff_may_work_sql("r.staff", "c.schedule_id", scope) +
           " ORDER BY r.id, r.idx), "
           // The outer conditions hold against any concurrent change.
           "upd AS (UPDATE ticket.tickets t SET status = 'USED', used_at = timestamptz 'epoch' + "
           "x.at_us * interval '1 microsecond', used_gate = NULLIF(x.gate, ''), used_by = "
           "x.staff, updated_at = " +
           sql_time(2) +
           ", inside = true, entries = t.entries + 1, entry_day = x.day FROM pick x WHERE t.id = "
           "x.id AND t.status = 'ISSUED' AND t.issue = x.issue RETURNING x.idx AS idx, x.rev AS "
           "rev, t.*), "
           "logged AS (INSERT INTO ticket.entries (ticket_id, schedule_id, kind, at, gate, "
           "staff_id, offline, reentry, policy_revision) SELECT id, schedule_id, 'ENTRY', "
           "used_at, used_gate, used_by, false, 'NONE', NULLIF(rev, '') FROM upd) "
           "SELECT 'A' AS src, t.idx AS idx, true AS allowed, " +
           columns + " FROM upd t UNION ALL SELECT 'C', r.idx, (NOT r.limited OR " +
           staff_may_work_sql("r.staff", "t.schedule_id", scope) + "), " + columns +
           " FROM r JOIN ticket.tickets t ON t.id = r.id WHERE r.idx NOT IN (SELECT idx FROM upd)";
}
}  // namespace

AdmissionBatcher::AdmissionBatcher(sdk::Host& host, std::size_t max_batch, std::size_t writers,
                                   StaffScope staff_scope)
    : host_(host),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      staff_scope_(staff_scope),
      batch_sql_(batch_sql(staff_scope)) {
    for (std::size_t i = 0; i < (writers == 0 ? 1 : writers); ++i)
        lanes_.push_back(std::make_unique<Lane>());
}

void AdmissionBatcher::start() {
    for (auto& lane : lanes_) {
        std::lock_guard lock(lane->mutex);
        if (lane->running) continue;
        lane->running = true;
        lane->writer = std::thread([this, raw = lane.get()] { run_writer(*raw); });
    }
}

void AdmissionBatcher::stop() {
    for (auto& lane : lanes_) {
        {
            std::lock_guard lock(lane->mutex);
            lane->running = false;
        }
        lane->wake.notify_all();
        if (lane->writer.joinable()) lane->writer.join();
    }
}

sdk::Result<AdmissionOutcome> AdmissionBatcher::admit(AdmissionRequest request) {
    Lane& lane = *lanes_[std::hash<std::string>{}(request.ticket_id) % lanes_.size()];
    auto pending = std::make_unique<Pending>();
    pending->request = std::move(request);
    auto future = pending->done.get_future();
    {
        std::lock_guard lock(lane.mutex);
        if (!lane.running) return sdk::Error::unavailable("check-in is not running");
        lane.queue.push_back(std::move(pending));
    }
    lane.wake.notify_one();
    return future.get();
}

void AdmissionBatcher::run_writer(Lane& lane) {
    while (true) {
        std::vector<std::unique_ptr<Pending>> batch;
        {
            std::unique_lock lock(lane.mutex);
            lane.wake.wait(lock, [&lane] { return !lane.queue.empty() || !lane.running; });
            if (lane.queue.empty()) return;  // stopped and drained
            while (!lane.queue.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(lane.queue.front()));
                lane.queue.pop_front();
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
                        {"limited", r.limited_to_assignments},
                        {"day", r.day},
                        {"rev", r.revision}});
    }
    const std::string batch_json = boost::json::serialize(rows);
    const int64_t now = host_.now_us();
    std::vector<AdmissionOutcome> outcomes(batch.size());
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        for (auto& outcome : outcomes) outcome = {};
        auto answered = tx.exec(batch_sql_, batch_json, now);
        if (!answered) return std::move(answered).error();
        const auto tickets = parse_tickets(*answered);
        std::vector<bool> admitted(batch.size(), false);
        std::map<std::string, std::size_t> admitted_row;  // ticket id -> index in `tickets`
        for (std::size_t i = 0; i < tickets.size(); ++i) {
            const auto& row = (*answered)[i];
            const auto idx = static_cast<std::size_t>(row.int64("idx").value_or(-1));
            if (idx >= batch.size())
                return sdk::Error::internal("admission batch index out of range");
            if (row.text("src") == "A") {
                ADMIT_TRY(publish_checked_in(tx, tickets[i], false, batch[idx]->request.staff_id,
                                             Reentry::none));
                outcomes[idx].admitted = tickets[i];
                admitted[idx] = true;
                admitted_row[tickets[i].id] = i;
            }
        }
        std::vector<std::size_t> stale;  // requests whose ticket changed under this statement
        for (std::size_t i = 0; i < tickets.size(); ++i) {
            const auto& row = (*answered)[i];
            if (row.text("src") != "C") continue;
            const auto idx = static_cast<std::size_t>(row.int64("idx").value_or(-1));
            outcomes[idx].forbidden = !row.boolean("allowed").value_or(false);
            if (auto found = admitted_row.find(tickets[i].id); found != admitted_row.end()) {
                outcomes[idx].current = tickets[found->second];  // admitted by another request
                continue;
            }
            outcomes[idx].current = tickets[i];
            const auto& request = batch[idx]->request;
            // Found admissible yet not admitted: another transaction changed it meanwhile (the
            // UPDATE waited for it); this statement's snapshot is older than that change.
            if (!outcomes[idx].forbidden && tickets[i].status == "ISSUED" &&
                tickets[i].issue == request.issue)
                stale.push_back(idx);
        }
        for (const auto idx : stale) {
            std::optional<TicketRow> current;
            ADMIT_TRY_ASSIGN(current, find_ticket(tx, batch[idx]->request.ticket_id));
            outcomes[idx].current = std::move(current);
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
