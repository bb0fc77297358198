#include "admission_math.hpp"

#include <algorithm>
#include <cmath>

namespace admit::queue {

namespace {

std::optional<double> number(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return static_cast<double>(value->as_int64());
    if (value->is_uint64()) return static_cast<double>(value->as_uint64());
    if (value->is_double() && std::isfinite(value->as_double())) return value->as_double();
    return std::nullopt;
}

int64_t whole(std::optional<double> value, int64_t fallback) {
    if (!value) return fallback;
    return static_cast<int64_t>(std::clamp(*value, -1e15, 1e15));
}

}  // namespace

boost::json::object policy_input(const std::string& schedule_id, const AdmissionInput& input) {
    boost::json::object out{{"scheduleId", schedule_id},
                            {"waiting", input.waiting},
                            {"active", input.active},
                            {"held", input.held},
                            {"expiringSoon", input.expiring_soon}};
    if (input.seats_free) out["seatsFree"] = *input.seats_free;
    if (input.conversion) out["conversion"] = *input.conversion;
    if (input.rate_override) out["rateOverride"] = *input.rate_override;
    return out;
}

int64_t inventory_bound(int64_t seats_free, int64_t expiring_soon, double factor) {
    if (!(factor > 0.0)) return 0;
    const double room =
        static_cast<double>(std::max<int64_t>(0, seats_free) + std::max<int64_t>(0, expiring_soon));
    return static_cast<int64_t>(std::floor(room * factor));
}

AdmissionDecision read_decision(const boost::json::value& decision, const AdmissionInput& input) {
    AdmissionDecision out;
    const boost::json::object empty;
    const auto& object = decision.is_object() ? decision.as_object() : empty;
    out.admit_per_second = std::max<int64_t>(0, whole(number(object, "admitPerSecond"), 0));
    out.active_cap = std::max<int64_t>(0, whole(number(object, "activeCap"), 0));
    out.conversion_factor =
        std::clamp(number(object, "conversionFactor").value_or(1.0), 0.0, 100.0);
    out.token_ttl_seconds =
        std::clamp<int64_t>(whole(number(object, "tokenTtlSeconds"), 300), 30, 3600);
    int64_t admit = std::max<int64_t>(0, whole(number(object, "admitNow"), 0));
    admit = std::min({admit, input.waiting, std::max<int64_t>(0, out.active_cap - input.active)});
    if (input.seats_free) {
        out.inventory_bound =
            inventory_bound(*input.seats_free, input.expiring_soon, out.conversion_factor);
        admit = std::min(admit, std::max<int64_t>(0, *out.inventory_bound - input.active));
        out.sold_out = *input.seats_free <= 0 && input.held <= 0;
    }
    if (out.sold_out) admit = 0;
    out.admit_now = std::max<int64_t>(0, admit);
    return out;
}

}  // namespace admit::queue
