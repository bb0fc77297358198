// The re-entry rule of a schedule's tickets, decided by the `checkin` policy
// (policies/checkin.lua): whether a ticket may enter once (NONE, the default), once per
// venue-local day (ONCE_PER_DAY) or again after an exit scan (AFTER_EXIT), and whether printed
// (static) codes are admitted. The plugin enforces the rule in its conditional UPDATEs, so of
// concurrent scans at most one is admitted for each entry whatever the rule says.
//
// Decisions are cached per (schedule, gate) for `cache_ttl` (kit_cache_ms), so the policy costs
// one evaluation per second and gate, not one per scan. Without the policy (a venue whose
// policies folder has no checkin.lua) every schedule has the default rule.
//
// Thread-safe: the cache is behind a mutex; rules are values.
#pragma once

#include "schedule_directory.hpp"

#include <admit/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace admit::ticket {

enum class Reentry { none, once_per_day, after_exit };

/// "NONE", "ONCE_PER_DAY", "AFTER_EXIT".
std::string_view reentry_name(Reentry reentry) noexcept;
std::optional<Reentry> parse_reentry(std::string_view name) noexcept;

struct CheckinRule {
    Reentry reentry = Reentry::none;
    bool allow_static_code = true;
    int utc_offset_minutes = 0;
    int day_starts_at_hour = 0;
    std::string revision;  ///< the policy revision that decided ("" for the built-in default)

    /// The venue-local day number of `unix_seconds` (days since 1970-01-01, shifted by the UTC
    /// offset and the hour a day starts): two times share a day exactly when this is equal.
    int64_t day_of(int64_t unix_seconds) const noexcept;
};

/// The rule of a `checkin` decision (missing or out-of-range fields keep the default's values).
CheckinRule rule_from_decision(const boost::json::value& decision, std::string revision);

class CheckinRules {
  public:
    CheckinRules(sdk::Host& host, ScheduleDirectory& schedules, std::chrono::milliseconds cache_ttl)
        : host_(host), schedules_(schedules), cache_ttl_(cache_ttl) {}

    /// The rule at `gate` ("" for no gate name, and for kits) of `schedule_id`. A schedule this
    /// plugin has no facts of gets the default rule (its codes name no ticket of ours).
    sdk::Result<CheckinRule> rule_for(const std::string& schedule_id, const std::string& gate);

  private:
    sdk::Result<CheckinRule> decide(const ScheduleFacts& facts, const std::string& gate);

    sdk::Host& host_;
    ScheduleDirectory& schedules_;
    std::chrono::milliseconds cache_ttl_;

    struct Cached {
        CheckinRule rule;
        std::chrono::steady_clock::time_point until;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;  ///< by schedule id + '\n' + gate
};

}  // namespace admit::ticket
