#include "entry_gate.hpp"

namespace admit::reservation {

std::optional<sdk::Response> check_entry(const sdk::Host& host, SaleContextCache& contexts,
                                         const sdk::Request& request) {
    auto body = request.json_object();
    if (!body) return std::nullopt;
    const auto* schedule = body->if_contains("scheduleId");
    if (schedule == nullptr || !schedule->is_string()) return std::nullopt;
    auto context = contexts.get(std::string(schedule->as_string()));
    if (!context || !(*context)->queue_required) return std::nullopt;
    const std::string token(request.header("x-entry-token").value_or(""));
    auto answer = host.call("queue.check_entry", {{"scheduleId", schedule->as_string()},
                                                  {"userId", request.principal().subject()},
                                                  {"token", token}});
    const auto* result = answer ? answer->if_object() : nullptr;
    if (result == nullptr) {
        host.warn("queue.check_entry failed: ",
                  answer ? std::string("not an object") : answer.error().message);
        return sdk::Response::error(503, "DEPENDENCY_UNAVAILABLE",
                                    "the waiting room cannot check entry tokens; retry shortly")
            .header("Retry-After", "1");
    }
    const auto* valid = result->if_contains("valid");
    if (valid != nullptr && valid->is_bool() && valid->as_bool()) return std::nullopt;
    std::string reason = "missing";
    if (const auto* r = result->if_contains("reason"); r && r->is_string())
        reason = std::string(r->as_string());
    return sdk::Response::error(403, "ENTRY_REQUIRED",
                                "this schedule is queued: a valid X-Entry-Token from its waiting "
                                "room is required (" +
                                    reason + ")");
}

}  // namespace admit::reservation
