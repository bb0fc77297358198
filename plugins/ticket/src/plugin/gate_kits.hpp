// Gate kits of schedules: what GET /api/v1/schedules/{id}/gate-kit returns (keys, schedule facts,
// the revocation list) and the revocation-free kits the server verifies online check-ins with
// (online, PostgreSQL is the revocation list: the check-in statement only admits the current
// issue of an ISSUED ticket).
//
// Thread-safe: the verification kits are cached per schedule for `cache_ttl` behind a mutex and
// handed out as shared pointers to immutable kits.
#pragma once

#include "codes/gate_kit.hpp"
#include "schedule_directory.hpp"
#include "venue_keys.hpp"

#include <admit/sdk.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::ticket {

class GateKits {
  public:
    GateKits(sdk::Host& host, const VenueKeys& keys, ScheduleDirectory& schedules,
             bool static_codes_allowed, std::chrono::milliseconds cache_ttl)
        : host_(host),
          keys_(keys),
          schedules_(schedules),
          static_codes_allowed_(static_codes_allowed),
          cache_ttl_(cache_ttl) {}

    /// The full kit of a schedule for offline gates. ADMIT_E_NOT_FOUND for an unknown schedule.
    /// `vouch`: also vouch for the signed ticket (rotating codes) of every live ticket of the
    /// schedule (codes/vouched_tickets.hpp): one row read and one SHA-256 per ticket.
    sdk::Result<GateKit> full_kit(const std::string& schedule_id, bool vouch = false);

    /// The kit the server verifies codes of `schedule_id` with (no revocations). For a schedule
    /// this plugin has no facts of, a kit whose window never refuses (such a code names no
    /// ticket of ours and is refused after its signature is checked).
    sdk::Result<std::shared_ptr<const GateKit>> verification_kit(const std::string& schedule_id);

    bool static_codes_allowed() const noexcept { return static_codes_allowed_; }

  private:
    GateKit base_kit(const ScheduleFacts& facts) const;
    sdk::Status vouch_for_live_tickets(const std::string& schedule_id, GateKit& kit) const;

    sdk::Host& host_;
    const VenueKeys& keys_;
    ScheduleDirectory& schedules_;
    bool static_codes_allowed_;
    std::chrono::milliseconds cache_ttl_;

    struct Cached {
        std::shared_ptr<const GateKit> kit;
        std::chrono::steady_clock::time_point until;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
};

}  // namespace admit::ticket
