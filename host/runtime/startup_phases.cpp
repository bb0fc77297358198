#include "host/runtime/startup_phases.hpp"

namespace admit::runtime {

namespace {

long long millis(StartupPhases::Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

void StartupPhases::mark(std::string_view name) {
    const auto now = Clock::now();
    phases_.emplace_back(std::string(name), millis(now - last_));
    last_ = now;
}

long long StartupPhases::total_ms() const { return millis(Clock::now() - began_); }

std::string StartupPhases::summary() const {
    std::string text;
    for (const auto& [name, ms] : phases_) {
        if (!text.empty()) text += ", ";
        text += name + " " + std::to_string(ms) + " ms";
    }
    return text;
}

}  // namespace admit::runtime
