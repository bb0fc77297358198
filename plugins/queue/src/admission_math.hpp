// The admission decision: what admission.lua answered, read defensively, and the inventory bound
// applied on top of it in C++ as well (a policy edit can lower admissions, never lift them past
// the seats that can still be sold). Pure; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>

namespace admit::queue {

/// The facts one admission tick knows about a schedule.
struct AdmissionInput {
    int64_t waiting = 0;                   ///< users in line (not pre-queue)
    int64_t active = 0;                    ///< admitted users whose entry token has not expired
    std::optional<int64_t> seats_free;     ///< capacity - held - sold (nullopt: unknown)
    int64_t held = 0;                      ///< units in live holds
    int64_t expiring_soon = 0;             ///< units in holds expiring within the token TTL
    std::optional<double> conversion;      ///< measured: admitted users who held / admitted
    std::optional<int64_t> rate_override;  ///< operator's admissions per second
};

struct AdmissionDecision {
    int64_t admit_per_second = 0;
    int64_t active_cap = 0;
    int64_t admit_now = 0;
    double conversion_factor = 1.0;
    int64_t token_ttl_seconds = 300;
    bool sold_out = false;
    std::optional<int64_t> inventory_bound;  ///< max active users the inventory allows
};

boost::json::object policy_input(const std::string& schedule_id, const AdmissionInput& input);

/// Reads the policy's decision (missing or malformed fields get safe values: nothing admitted)
/// and enforces the contract: 0 <= admitNow <= min(waiting, activeCap - active,
/// floor((seatsFree + expiringSoon) * conversionFactor) - active); soldOut only when
/// seatsFree + held == 0.
AdmissionDecision read_decision(const boost::json::value& decision, const AdmissionInput& input);

/// floor((seats_free + expiring_soon) * factor), the most active users the inventory allows.
int64_t inventory_bound(int64_t seats_free, int64_t expiring_soon, double factor);

}  // namespace admit::queue
