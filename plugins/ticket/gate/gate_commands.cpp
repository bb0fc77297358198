#include "gate_commands.hpp"

#include "codes/gate_kit.hpp"
#include "codes/verifier.hpp"
#include "scan_journal.hpp"

#include <admit/sdk/time_text.hpp>

#include <boost/json.hpp>

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
/// when the journal has not admitted its ticket before; the lock held meanwhile keeps two gate
/// processes from both admitting it.
sdk::Result<RecordedScan> record_scan(const VerifyOptions& options, const Verdict& verdict,
                                      int64_t now) {
    auto journal = ScanJournal::open(options.record_path);
    if (!journal) return std::move(journal).error();
    RecordedScan scan;
    if (verdict.ok) {
        auto earlier = journal->admitted_before(verdict.ticket->payload.ticket_id);
        if (!earlier) return std::move(earlier).error();
        scan.earlier = std::move(*earlier);
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
        auto scan = record_scan(options, verdict, now);
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
    if (auto kit = load_kit(options.kit_path); !kit) {
        err << "admit-gate: " << kit.error().message << "\n";
        return kExitUsage;
    }
    if (std::getenv(options.token_env.c_str()) == nullptr) {
        err << "admit-gate: environment variable " << options.token_env
            << " (the staff token) is not set\n";
        return kExitUsage;
    }
    auto journal = ScanJournal::open(options.scans_path);
    if (!journal) {
        err << "admit-gate: " << journal.error().message << "\n";
        return kExitUsage;
    }
    auto pending = journal->count();
    if (!pending) {
        err << "admit-gate: " << pending.error().message << "\n";
        return kExitUsage;
    }
    out << boost::json::serialize(
               boost::json::object{{"server", options.server},
                                   {"pending", *pending},
                                   {"uploaded", 0},
                                   {"status", "not_implemented"},
                                   {"detail",
                                    "upload to POST /api/v1/checkin/batch is not implemented yet; "
                                    "scans stay in the journal"}})
        << "\n";
    return kExitSyncNotDone;
}

}  // namespace admit::ticket::gate
