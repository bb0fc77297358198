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

/// Refuses an authentic code whose ticket the journal admitted already.
void refuse_as_used(Verdict& verdict, const ScanRecord& earlier) {
    verdict.ok = false;
    verdict.reason = Reason::none;  // not a code reason: reported as "already_used" below
    verdict.detail = "already admitted offline at " + sdk::format_rfc3339(earlier.at * 1'000'000) +
                     (earlier.gate.empty() ? "" : " at gate " + earlier.gate);
}

}  // namespace

int run_verify(const VerifyOptions& options, std::ostream& out, std::ostream& err) {
    auto kit = load_kit(options.kit_path);
    if (!kit) {
        err << "admit-gate: " << kit.error().message << "\n";
        return kExitUsage;
    }
    const int64_t now = options.now.value_or(static_cast<int64_t>(std::time(nullptr)));
    Verdict verdict = verify(options.code, *kit, now);
    boost::json::object json;
    bool already_used = false;

    if (!options.record_path.empty()) {
        auto journal = ScanJournal::open(options.record_path);
        if (!journal) {
            err << "admit-gate: " << journal.error().message << "\n";
            return kExitUsage;
        }
        if (verdict.ok) {
            auto earlier = journal->admitted_before(verdict.ticket->payload.ticket_id);
            if (!earlier) {
                err << "admit-gate: " << earlier.error().message << "\n";
                return kExitUsage;
            }
            if (*earlier) {
                refuse_as_used(verdict, **earlier);
                already_used = true;
            }
        }
        const ScanRecord record{
            ScanJournal::new_nonce(),
            now,
            options.gate,
            verdict.ticket ? verdict.ticket->payload.ticket_id : std::string(),
            verdict.ticket ? verdict.ticket->payload.schedule_id : std::string(),
            verdict.ok,
            already_used ? std::string("already_used") : std::string(reason_name(verdict.reason)),
            options.code};
        if (auto appended = journal->append(record); !appended) {
            err << "admit-gate: " << appended.message() << "\n";
            return kExitUsage;
        }
        json = verdict_json(verdict);
        json["scan"] = {{"nonce", record.nonce},
                        {"at", sdk::format_rfc3339(now * 1'000'000)},
                        {"gate", record.gate}};
    } else {
        json = verdict_json(verdict);
    }
    if (already_used) json["reason"] = "already_used";
    out << boost::json::serialize(json) << "\n";
    return verdict.ok ? kExitAdmitted : kExitRefused;
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
