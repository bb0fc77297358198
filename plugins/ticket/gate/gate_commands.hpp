// The commands of admit-gate, separate from argument parsing so each reads as what it does.
// Exit codes (the CLI's contract): 0 admitted, 1 refused (reason in the JSON), 2 usage or
// input error (bad arguments, unreadable or invalid kit, unusable journal), 3 sync not done.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace admit::ticket::gate {

inline constexpr int kExitAdmitted = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSyncNotDone = 3;

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

/// Not done yet: checks its inputs, prints how many scans wait for upload, uploads nothing and
/// exits 3. The upload (POST /api/v1/checkin/batch) comes with the ticket plugin's route.
int run_sync(const SyncOptions& options, std::ostream& out, std::ostream& err);

}  // namespace admit::ticket::gate
