// ReadinessProbe: the answer of /readyz, computed at most once per interval however often it is
// asked. Traps avoided: a public endpoint that makes every caller ping PostgreSQL and Redis (a
// cheap amplification of load onto the dependencies), and readiness bodies that hand dependency
// error text (host names, driver messages) to the public: the detail goes to the log, once, when
// a check changes state.
// A failing answer is kept only for `not_ready_interval` (100 ms by default), so an instance whose
// dependency came back says so within a tenth of a second, not a whole interval later (the fault
// campaign measures recovery by /readyz).
// With start_refreshing() a thread of its own keeps the answer fresh and current() never runs
// the checks: /readyz is then answered from memory on the I/O thread (ServerOptions::
// inline_request), never behind the worker queue or a PostgreSQL pool wait under load.
// Thread-safe: one caller refreshes while the others get the previous result.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/admin/builtin_routes.hpp"

namespace admit::runtime {

class ReadinessProbe {
  public:
    using Checks = std::function<std::vector<ReadinessCheck>()>;

    ReadinessProbe(Checks checks, std::chrono::milliseconds interval,
                   std::chrono::milliseconds not_ready_interval = std::chrono::milliseconds(100))
        : checks_(std::move(checks)),
          interval_(interval),
          not_ready_interval_(std::min(interval, not_ready_interval)) {}

    // Stops the refreshing thread.
    ~ReadinessProbe();
    ReadinessProbe(const ReadinessProbe&) = delete;
    ReadinessProbe& operator=(const ReadinessProbe&) = delete;

    // The latest checks, refreshed when older than the interval (the shorter one while any
    // check fails). While refreshing in the background: the latest checks as they are, never
    // blocking ("starting", not ok, before the first refresh finished).
    std::vector<ReadinessCheck> current();

    // Runs the checks once now, then on a thread of its own every interval (every
    // not_ready_interval while a check fails) until stop_refreshing(). Idempotent.
    void start_refreshing();
    // Joins the refreshing thread; current() refreshes on demand again. Idempotent; call it
    // before whatever the checks use is destroyed.
    void stop_refreshing();

  private:
    bool fresh_enough(std::chrono::steady_clock::time_point now) const;  // mutex_ held
    void refresh();                                                      // refresh_mutex_ held

    Checks checks_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds not_ready_interval_;
    std::mutex refresh_mutex_;  // one refresh at a time
    std::mutex mutex_;          // guards the fields below
    std::vector<ReadinessCheck> latest_;
    std::chrono::steady_clock::time_point checked_at_{};
    bool checked_ = false;
    bool background_ = false;  // a refreshing thread keeps latest_ fresh
    bool stopping_ = false;
    std::condition_variable wake_;  // with mutex_: wakes the refresher for stop_refreshing()
    std::thread refresher_;
};

}  // namespace admit::runtime
