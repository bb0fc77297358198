// ReadinessProbe: the answer of /readyz, computed at most once per interval however often it is
// asked. Traps avoided: a public endpoint that makes every caller ping PostgreSQL and Redis (a
// cheap amplification of load onto the dependencies), and readiness bodies that hand dependency
// error text (host names, driver messages) to the public: the detail goes to the log, once, when
// a check changes state.
// A failing answer is kept only for `not_ready_interval` (100 ms by default), so an instance whose
// dependency came back says so within a tenth of a second, not a whole interval later (the fault
// campaign measures recovery by /readyz).
// Thread-safe: one caller refreshes while the others get the previous result.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
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

    // The latest checks, refreshed when older than the interval (the shorter one while any
    // check fails).
    std::vector<ReadinessCheck> current();

  private:
    bool fresh_enough(std::chrono::steady_clock::time_point now) const;  // mutex_ held

    Checks checks_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds not_ready_interval_;
    std::mutex refresh_mutex_;  // one refresh at a time
    std::mutex mutex_;          // guards the fields below
    std::vector<ReadinessCheck> latest_;
    std::chrono::steady_clock::time_point checked_at_{};
    bool checked_ = false;
};

}  // namespace admit::runtime
