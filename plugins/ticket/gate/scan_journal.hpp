// The offline scan journal of one gate: a JSON-lines file, one scan a line, appended on every
// verification and uploaded later (POST /api/v1/checkin/batch deduplicates by nonce).
//
//   {"nonce":"<32 hex>","at":RFC3339,"gate":"...","ticketId":"...","scheduleId":"...",
//    "admitted":true,"reason":null,"code":"<base45>"}
//
// A ScanJournal holds an exclusive flock() on the file while it lives, so two admit-gate
// processes on one device cannot both admit the same ticket. Not thread-safe (one per process).
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::ticket::gate {

struct ScanRecord {
    std::string nonce;  ///< 128 random bits in hex, unique per scan
    int64_t at = 0;     ///< unix seconds
    std::string gate;
    std::string ticket_id;  ///< empty when the code did not verify
    std::string schedule_id;
    bool admitted = false;
    std::string reason;  ///< empty when admitted
    std::string code;
};

class ScanJournal {
  public:
    /// Opens (creating it when missing) and locks the journal at `path`.
    static sdk::Result<ScanJournal> open(const std::string& path);

    ScanJournal(ScanJournal&& other) noexcept;
    ScanJournal& operator=(ScanJournal&&) = delete;
    ScanJournal(const ScanJournal&) = delete;
    ScanJournal& operator=(const ScanJournal&) = delete;
    ~ScanJournal();  ///< unlocks and closes

    /// The latest scan of this journal that admitted `ticket_id`, if any. Lines that do not
    /// parse (a torn write) are skipped.
    sdk::Result<std::optional<ScanRecord>> admitted_before(const std::string& ticket_id) const;
    /// Number of scans recorded.
    sdk::Result<std::size_t> count() const;
    /// Every scan recorded, in order, as its JSON line (torn lines skipped): what
    /// POST /api/v1/checkin/batch takes.
    sdk::Result<std::vector<boost::json::object>> records() const;
    /// Appends one line and flushes it to the file (fdatasync).
    sdk::Status append(const ScanRecord& record);

    /// A fresh nonce (libsodium randombytes; init_ticket_codes() must have run).
    static std::string new_nonce();

  private:
    explicit ScanJournal(int fd) : fd_(fd) {}
    sdk::Result<std::string> read_all() const;

    int fd_ = -1;
};

}  // namespace admit::ticket::gate
