// The commands of admit-gate, separate from argument parsing so each reads as what it does.
// Exit codes (the CLI's contract): 0 admitted, 1 refused (reason in the JSON), 2 usage or
// input error (bad arguments, unreadable or invalid kit, unusable journal), 3 sync failed (server
// unreachable or refusing; the scans stay in the journal and a later sync uploads them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace admit::ticket::gate {

inline constexpr int kExitAdmitted = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSyncFailed = 3;
/// Scans per POST /api/v1/checkin/batch (the route takes at most 500).
inline constexpr std::size_t kBatchSize = 500;

struct VerifyOptions {
    std::string code;  ///< base45 text as scanned
    std::string kit_path;
    std::optional<int64_t> now;  ///< unix seconds; the system clock when absent
    std::string record_path;     ///< scan journal; empty: scans are not recorded
    std::string gate;            ///< this gate's name, recorded with each scan
};

/// Verifies one code offline and prints the verdict as one JSON object on `out`. With a
/// journal, the scan is appended, and a ticket the journal already admitted is refused with
/// reason "already_used". Errors that are not verdicts go to `err` (exit 2).
int run_verify(const VerifyOptions& options, std::ostream& out, std::ostream& err);

struct SyncOptions {
    std::string kit_path;
    std::string scans_path;
    std::string server;
    std::string token_env;
};

/// Uploads every scan of the journal to POST /api/v1/checkin/batch (in batches of 500; the
/// server deduplicates by nonce, so scans uploaded before change nothing), then replaces the kit
/// file with a fresh one from GET /api/v1/schedules/{id}/gate-kit (written to <kit>.new and
/// renamed). Prints a JSON report {status: "synced" | "unreachable" | "refused" | ...,
/// pending, uploaded, admitted, duplicates, refused, conflicts: [...]} and exits 0 when synced,
/// 3 otherwise. Conflicts (one ticket admitted at two offline gates) are also written to `err`.
/// The journal is kept (it is this gate's record of admitted tickets).
int run_sync(const SyncOptions& options, std::ostream& out, std::ostream& err);

}  // namespace admit::ticket::gate
