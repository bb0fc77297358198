#include "gate_commands.hpp"

#include "codes/gate_kit.hpp"
#include "codes/verifier.hpp"
#include "http_client.hpp"
#include "scan_journal.hpp"

#include <admit/sdk/time_text.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <ostream>
#include <sstream>

namespace admit::ticket::gate {
namespace {

sdk::Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return sdk::Error::invalid("cannot read " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

sdk::Result<GateKit> load_kit(const std::string& path) {
    auto text = read_file(path);
    if (!text) return std::move(text).error();
    auto kit = parse_gate_kit(*text);
    if (!kit) return sdk::Error::invalid(path + ": " + kit.error().message);
    return kit;
}

/// A scan as written to the journal, and the earlier admission of its ticket if there was one.
struct RecordedScan {
    ScanRecord record;
    std::optional<ScanRecord> earlier;
};

/// Appends the scan of `verdict` to the journal at `path`. A code that verified is admitted only
/// when the kit's re-entry rule lets it in again after this journal's latest admission of its
/// ticket: never under NONE, and under AFTER_EXIT neither (this gate cannot see exit scans made
/// at online gates; re-entry needs an online gate), on a later venue-local day under
/// ONCE_PER_DAY. The lock held meanwhile keeps two gate processes from both admitting it.
sdk::Result<RecordedScan> record_scan(const VerifyOptions& options, const GateKit& kit,
                                      const Verdict& verdict, int64_t now) {
    auto journal = ScanJournal::open(options.record_path);
    if (!journal) return std::move(journal).error();
    RecordedScan scan;
    if (verdict.ok) {
        auto earlier = journal->admitted_before(verdict.ticket->payload.ticket_id);
        if (!earlier) return std::move(earlier).error();
        scan.earlier = std::move(*earlier);
        if (scan.earlier && kit.reentry == "ONCE_PER_DAY" &&
            kit_day_of(kit, scan.earlier->at) < kit_day_of(kit, now))
            scan.earlier.reset();  // entered on an earlier day: admitted again today
    }
    const bool admitted = verdict.ok && !scan.earlier;
    scan.record = ScanRecord{
        ScanJournal::new_nonce(),
        now,
        options.gate,
        verdict.ticket ? verdict.ticket->payload.ticket_id : std::string(),
        verdict.ticket ? verdict.ticket->payload.schedule_id : std::string(),
        admitted,
        scan.earlier ? std::string("already_used") : std::string(reason_name(verdict.reason)),
        options.code};
    if (auto appended = journal->append(scan.record); !appended) return std::move(appended).error();
    return scan;
}

}  // namespace

int run_verify(const VerifyOptions& options, std::ostream& out, std::ostream& err) {
    auto kit = load_kit(options.kit_path);
    if (!kit) {
        err << "admit-gate: " << kit.error().message << "\n";
        return kExitUsage;
    }
    const int64_t now = options.now.value_or(static_cast<int64_t>(std::time(nullptr)));
    const Verdict verdict = verify(options.code, *kit, now);
    boost::json::object json = verdict_json(verdict);
    bool admitted = verdict.ok;
    if (!options.record_path.empty()) {
        auto scan = record_scan(options, *kit, verdict, now);
        if (!scan) {
            err << "admit-gate: " << scan.error().message << "\n";
            return kExitUsage;
        }
        if (const auto& earlier = scan->earlier) {
            admitted = false;
            json["admitted"] = false;
            json["reason"] = "already_used";
            json["detail"] = "already admitted offline at " +
                             sdk::format_rfc3339(earlier->at * 1'000'000) +
                             (earlier->gate.empty() ? "" : " at gate " + earlier->gate);
        }
        json["scan"] = {{"nonce", scan->record.nonce},
                        {"at", sdk::format_rfc3339(now * 1'000'000)},
                        {"gate", scan->record.gate}};
    }
    out << boost::json::serialize(json) << "\n";
    return admitted ? kExitAdmitted : kExitRefused;
}

int run_sync(const SyncOptions& options, std::ostream& out, std::ostream& err) {
    auto kit = load_kit(options.kit_path);
    if (!kit) {
        err << "admit-gate: " << kit.error().message << "\n";
        return kExitUsage;
    }
    const char* token = std::getenv(options.token_env.c_str());
    if (token == nullptr || *token == '\0') {
        err << "admit-gate: environment variable " << options.token_env
            << " (the staff token) is not set\n";
        return kExitUsage;
    }
    auto server = parse_server_url(options.server);
    if (!server) {
        err << "admit-gate: " << server.error().message << "\n";
        return kExitUsage;
    }
    std::vector<boost::json::object> records;
    {
        auto journal = ScanJournal::open(options.scans_path);
        if (!journal) {
            err << "admit-gate: " << journal.error().message << "\n";
            return kExitUsage;
        }
        auto read = journal->records();
        if (!read) {
            err << "admit-gate: " << read.error().message << "\n";
            return kExitUsage;
        }
        records = std::move(*read);
    }  // the journal is unlocked while the network is slow: this gate keeps scanning

    const std::map<std::string, std::string> headers{
        {"Authorization", std::string("Bearer ") + token}, {"Content-Type", "application/json"}};
    boost::json::object report{{"server", options.server},
                               {"pending", records.size()},
                               {"uploaded", 0},
                               {"admitted", 0},
                               {"duplicates", 0},
                               {"refused", 0}};
    boost::json::array conflicts;
    auto fail = [&](const std::string& status, const std::string& detail) {
        report["status"] = status;
        report["detail"] = detail;
        report["conflicts"] = std::move(conflicts);
        out << boost::json::serialize(report) << "\n";
        err << "admit-gate: sync failed: " << detail << " (the scans stay in the journal)\n";
        return kExitSyncFailed;
    };
    // 1. Upload every scan; the server deduplicates by nonce, so a retry after a failure (or
    //    scans uploaded before) changes nothing.
    std::size_t uploaded = 0;
    for (std::size_t at = 0; at < records.size(); at += kBatchSize) {
        boost::json::array scans;
        for (std::size_t i = at; i < std::min(records.size(), at + kBatchSize); ++i)
            scans.push_back(records[i]);
        const std::size_t count = scans.size();
        auto answer = http_call(
            *server, "POST", "/api/v1/checkin/batch",
            boost::json::serialize(boost::json::object{{"scans", std::move(scans)}}), headers);
        if (!answer) return fail("unreachable", answer.error().message);
        if (answer->status != 200)
            return fail("refused", "POST /api/v1/checkin/batch answered " +
                                       std::to_string(answer->status) + ": " + answer->body);
        boost::system::error_code error;
        auto body = boost::json::parse(answer->body, error);
        if (error || !body.is_object()) return fail("refused", "the batch answer is not JSON");
        for (const char* field : {"admitted", "duplicates", "refused"}) {
            if (const auto* n = body.as_object().if_contains(field); n && n->is_int64())
                report[field] = report[field].as_int64() + n->as_int64();
        }
        if (const auto* results = body.as_object().if_contains("results");
            results && results->is_array()) {
            for (const auto& result : results->as_array()) {
                if (result.is_object() && result.as_object().contains("conflict"))
                    conflicts.push_back(result);
            }
        }
        uploaded += count;
        report["uploaded"] = uploaded;
    }
    // 2. A fresh kit (new revocations, new keys), written atomically over the old one.
    auto fresh =
        http_call(*server, "GET", "/api/v1/schedules/" + kit->schedule_id + "/gate-kit?vouch=true",
                  "", headers);
    if (!fresh) return fail("unreachable", fresh.error().message);
    if (fresh->status != 200)
        return fail("refused",
                    "GET gate-kit answered " + std::to_string(fresh->status) + ": " + fresh->body);
    if (auto parsed = parse_gate_kit(fresh->body); !parsed)
        return fail("refused", "the server's kit is invalid: " + parsed.error().message);
    const std::string temporary = options.kit_path + ".new";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << fresh->body;
        if (!file.flush()) return fail("kit_not_saved", "cannot write " + temporary);
    }
    if (std::rename(temporary.c_str(), options.kit_path.c_str()) != 0)
        return fail("kit_not_saved", "cannot replace " + options.kit_path);

    for (const auto& conflict : conflicts) {
        err << "admit-gate: conflict reported to admins: " << boost::json::serialize(conflict)
            << "\n";
    }
    report["status"] = "synced";
    report["kitRefreshed"] = true;
    report["conflicts"] = std::move(conflicts);
    out << boost::json::serialize(report) << "\n";
    return kExitAdmitted;
}

}  // namespace admit::ticket::gate
