// PeriodicThread: a plugin's own background thread that runs one pass every `period` between
// start() and stop() (a plugin starts it in Plugin::start and stops it in Plugin::stop): a relay
// reading Redis, a cache refreshed from the database.
//
// Traps avoided: stop() does not wait out a sleeping period (the thread sleeps on a condition
// variable that stop() signals, so the plugin stops at once); and a pass that throws neither ends
// the process (an exception leaving a thread calls std::terminate) nor the thread: it goes to
// `on_error` and the next pass runs on time. Expected failures are still values: a pass reports
// its own; `on_error` is the last resort.
//
// Thread-safety: start() and stop() are called from the plugin's start/stop (or a test); `pass`
// runs only on the thread, one pass at a time. stop() waits for a running pass to end; the
// destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace admit::sdk {

class PeriodicThread {
  public:
    enum class FirstPass {
        at_start,     ///< a pass as soon as the thread starts, then one every period
        after_period  ///< the first pass one period after start()
    };

    /// `on_error` hears what a throwing pass threw (std::exception::what(), or "unknown
    /// exception"); empty: ignored.
    PeriodicThread(std::chrono::milliseconds period, std::function<void()> pass,
                   std::function<void(const std::string&)> on_error = {},
                   FirstPass first = FirstPass::at_start)
        : period_(period), pass_(std::move(pass)), on_error_(std::move(on_error)), first_(first) {}
    ~PeriodicThread() { stop(); }
    PeriodicThread(const PeriodicThread&) = delete;
    PeriodicThread& operator=(const PeriodicThread&) = delete;

    /// Starts the thread; a second start() while it runs does nothing.
    void start() {
        std::lock_guard lock(mutex_);
        if (thread_.joinable()) return;
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }

    /// Wakes the thread, waits for a running pass to end and joins it. Idempotent.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

  private:
    void run() {
        std::unique_lock lock(mutex_);
        if (first_ == FirstPass::after_period)
            wake_.wait_for(lock, period_, [this] { return stopping_; });
        while (!stopping_) {
            lock.unlock();
            run_pass();
            lock.lock();
            wake_.wait_for(lock, period_, [this] { return stopping_; });
        }
    }

    void run_pass() noexcept {
        try {
            pass_();
        } catch (const std::exception& e) {
            report(e.what());
        } catch (...) {
            report("unknown exception");
        }
    }

    void report(const char* what) noexcept {
        if (!on_error_) return;
        try {
            on_error_(what);
        } catch (...) {  // a failing reporter must not end the thread either
        }
    }

    const std::chrono::milliseconds period_;
    const std::function<void()> pass_;
    const std::function<void(const std::string&)> on_error_;
    const FirstPass first_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;  ///< started and joined under the start()/stop() contract above
};

}  // namespace admit::sdk
