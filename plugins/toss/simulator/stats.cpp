#include "stats.hpp"

#include <boost/json.hpp>

namespace admit::paysim {

boost::json::object Stats::to_json() const {
    auto v = [](const Counter& c) { return c.load(std::memory_order_relaxed); };
    return boost::json::object{
        {"requests", v(requests)},
        {"unauthorized", v(unauthorized)},
        {"badRequests", v(bad_requests)},
        {"approvals", v(approvals)},
        {"confirms", v(confirms)},
        {"confirmsDone", v(confirms_done)},
        {"confirmsDeclined", v(confirms_declined)},
        {"cancels", v(cancels)},
        {"cancelsDone", v(cancels_done)},
        {"timeouts", v(timeouts)},
        {"idempotentReplays", v(idempotent_replays)},
        {"downClosed", v(down_closed)},
        {"webhooks", boost::json::object{{"enqueued", v(webhooks_enqueued)},
                                         {"dropped", v(webhooks_dropped)},
                                         {"attempts", v(webhooks_attempts)},
                                         {"delivered", v(webhooks_delivered)},
                                         {"retried", v(webhooks_retried)},
                                         {"failed", v(webhooks_failed)},
                                         {"duplicated", v(webhooks_duplicated)},
                                         {"reordered", v(webhooks_reordered)}}}};
}

}  // namespace admit::paysim
