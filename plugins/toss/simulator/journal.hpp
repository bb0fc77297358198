// Journal: an append-only JSON-lines file of ledger changes, so a restarted simulator still
// knows every charge. Each line is a full record ({"type":"payment","payment":{...}} or
// {"type":"idempotency",...}); on replay the last record of a payment wins.
//
// Writes happen on a background thread: append() only queues the line (never blocks on I/O).
// The thread writes whole batches and flushes them to the kernel (no fsync: a machine crash may
// lose the last lines, a process crash loses only what was still queued). Thread-safe.
#pragma once

#include <boost/json/fwd.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace admit::paysim {

class Journal {
  public:
    // Opens (creates) `path` for appending and starts the writer; throws std::runtime_error.
    explicit Journal(const std::string& path);
    ~Journal();  // drains the queue, flushes and closes
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    void append(std::string line);  // one JSON document without the newline
    // Blocks until everything appended so far is written and flushed (tests, shutdown).
    void flush();
    uint64_t lines_written() const;

    // Calls `on_record` for each complete line of `path` in order. A missing file is empty; a
    // torn last line (crash mid-write) is skipped with a warning; a bad line in the middle
    // throws std::runtime_error naming the line. Returns the number of records.
    static std::size_t replay(const std::string& path,
                              const std::function<void(const boost::json::object&)>& on_record);

  private:
    void run();

    std::FILE* file_ = nullptr;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::deque<std::string> queue_;
    uint64_t appended_ = 0;
    uint64_t written_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace admit::paysim
