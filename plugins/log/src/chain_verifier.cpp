#include "chain_verifier.hpp"

#include "audit_entry.hpp"

namespace admit::log {

namespace {
constexpr int64_t kPage = 1000;

boost::json::object broken(int64_t seq, std::string_view reason) {
    return boost::json::object{{"seq", seq}, {"reason", reason}};
}
}  // namespace

sdk::Result<std::optional<std::string>> ChainVerifier::link_before(int64_t seq) {
    if (seq == 1) return std::optional<std::string>(kGenesisHash);
    auto before = db_.exec("SELECT hash FROM log.entries WHERE seq = $1", seq - 1);
    if (!before) return std::move(before).error();
    if (!before->empty()) return std::optional<std::string>(before->front().text("hash"));
    auto anchor = db_.exec("SELECT last_hash FROM log.anchors WHERE last_seq = $1", seq - 1);
    if (!anchor) return std::move(anchor).error();
    if (!anchor->empty()) return std::optional<std::string>(anchor->front().text("last_hash"));
    return std::optional<std::string>();
}

sdk::Result<boost::json::object> ChainVerifier::verify(int64_t from_us, int64_t to_us) {
    boost::json::object report{{"from", sdk::format_rfc3339(from_us, true)},
                               {"to", sdk::format_rfc3339(to_us, true)}};
    auto bounds = db_.exec(
        "SELECT min(seq) AS first_seq, max(seq) AS last_seq FROM log.entries "
        "WHERE recorded_us >= $1 AND recorded_us < $2",
        from_us, to_us);
    if (!bounds) return std::move(bounds).error();
    const auto first = bounds->front().int64("first_seq");
    const auto last = bounds->front().int64("last_seq");
    report["firstSeq"] = first ? boost::json::value(*first) : nullptr;
    report["lastSeq"] = last ? boost::json::value(*last) : nullptr;
    report["checked"] = 0;
    report["ok"] = true;
    report["firstBroken"] = nullptr;
    if (!first || !last) return report;

    auto start = link_before(*first);
    if (!start) return std::move(start).error();
    if (!*start) {
        report["ok"] = false;
        report["firstBroken"] = broken(*first - 1, "missing");
        return report;
    }
    std::string running = **start;
    int64_t expected_seq = *first;
    int64_t checked = 0;
    while (expected_seq <= *last) {
        auto page = db_.exec(std::string("SELECT ") + kEntryColumns +
                                 " FROM log.entries WHERE seq >= $1 AND seq <= $2 "
                                 "ORDER BY seq LIMIT " +
                                 std::to_string(kPage),
                             expected_seq, *last);
        if (!page) return std::move(page).error();
        if (page->empty()) break;
        for (const auto& row : *page) {
            AuditEntry entry = entry_from_row(row);
            boost::json::object problem;
            if (entry.seq != expected_seq) {
                problem = broken(expected_seq, "missing");
            } else if (entry.prev_hash != running) {
                problem = broken(entry.seq, "prev_hash");
                problem["expected"] = running;
                problem["found"] = entry.prev_hash;
            } else if (const std::string recomputed = chain_hash(entry); recomputed != entry.hash) {
                problem = broken(entry.seq, "hash");
                problem["expected"] = recomputed;
                problem["found"] = entry.hash;
            }
            if (!problem.empty()) {
                if (entry.seq == expected_seq) problem["eventId"] = entry.event_id;
                report["checked"] = checked;
                report["ok"] = false;
                report["firstBroken"] = std::move(problem);
                return report;
            }
            running = entry.hash;
            ++expected_seq;
            ++checked;
        }
    }
    report["checked"] = checked;
    if (expected_seq <= *last) {
        report["ok"] = false;
        report["firstBroken"] = broken(expected_seq, "missing");
    }
    return report;
}

}  // namespace admit::log
