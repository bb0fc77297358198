// StartupPhases: how long each part of admitd's start took, reported as one log line when the
// host serves. Trap avoided: "restarts are slow" with no way to tell which step (a pool
// connecting, migrations, a plugin's start, the first relay pass) spends the time, especially
// under load, when a restarted instance competes with its busy peers for the CPU.
// Not thread-safe: used by the one thread that runs Application::start().
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::runtime {

class StartupPhases {
  public:
    using Clock = std::chrono::steady_clock;

    StartupPhases() : began_(Clock::now()), last_(began_) {}

    // Closes the phase that began at the previous mark (or at construction) under `name`.
    void mark(std::string_view name);

    // Milliseconds since construction.
    long long total_ms() const;

    // "policies 4 ms, postgres 12 ms, ..." in the order marked.
    std::string summary() const;

  private:
    Clock::time_point began_;
    Clock::time_point last_;
    std::vector<std::pair<std::string, long long>> phases_;
};

}  // namespace admit::runtime
