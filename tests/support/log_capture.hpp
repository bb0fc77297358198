// LogCapture: while alive, whatever spdlog's default logger is asked to write is kept in memory
// for the test to read (and not printed), at every level. Destruction restores the previous
// default logger.
// Traps avoided: asserting on log text that another test's leftover threads wrote (construct it
// after, and destroy it after, everything whose log lines the test reads), and a dangling default
// logger: spdlog::warn() on another thread may still hold the previous one, which this object
// keeps alive.
// Thread-safety: the sink is the _mt one; count() may run while other threads log.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

namespace admit::testsupport {

class LogCapture {
  public:
    LogCapture()
        : previous_(spdlog::default_logger()),
          sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kKeptLines)) {
        sink_->set_pattern("%l %v");
        auto logger = std::make_shared<spdlog::logger>("log-capture", sink_);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(std::move(logger));
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    // The captured lines, oldest first, as "<level> <message>" ("warning PostgreSQL ...").
    std::vector<std::string> lines() const { return sink_->last_formatted(); }

    // How many captured lines contain `text`.
    std::size_t count(std::string_view text) const {
        const auto all = lines();
        return static_cast<std::size_t>(
            std::count_if(all.begin(), all.end(),
                          [&](const auto& line) { return line.find(text) != std::string::npos; }));
    }

  private:
    static constexpr std::size_t kKeptLines = 10'000;
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace admit::testsupport
