// HostClock: the one clock plugins and host jobs read (admit_host_api.now_us).
//
// In production it is the system clock. With [testing] manual_clock it starts at the system time
// and moves only when a test sets or advances it, so time-driven behaviour (sale start, hold
// expiry) can be tested without waiting. Thread-safe; now_us() is one atomic load.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace admit::runtime {

class HostClock {
  public:
    explicit HostClock(bool manual = false) : manual_(manual), manual_now_us_(system_now_us()) {}

    int64_t now_us() const {
        return manual_ ? manual_now_us_.load(std::memory_order_acquire) : system_now_us();
    }
    std::chrono::system_clock::time_point now() const {
        return std::chrono::system_clock::time_point(std::chrono::microseconds(now_us()));
    }
    bool manual() const { return manual_; }

    // Only meaningful for a manual clock; ignored otherwise. Time never moves backwards.
    void advance_us(int64_t delta_us) {
        if (manual_ && delta_us > 0) manual_now_us_.fetch_add(delta_us, std::memory_order_acq_rel);
    }
    void set_us(int64_t now_us) {
        if (!manual_) return;
        int64_t current = manual_now_us_.load();
        while (now_us > current && !manual_now_us_.compare_exchange_weak(current, now_us)) {
        }
    }

    static int64_t system_now_us() {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

  private:
    bool manual_;
    std::atomic<int64_t> manual_now_us_;
};

}  // namespace admit::runtime
