// Stats: monotonic counters for GET /sim/stats. Lock-free (relaxed atomics), safe from any
// thread.
#pragma once

#include <atomic>
#include <boost/json/fwd.hpp>
#include <cstdint>

namespace admit::paysim {

struct Stats {
    using Counter = std::atomic<uint64_t>;
    Counter requests{0};
    Counter unauthorized{0};
    Counter bad_requests{0};
    Counter approvals{0};
    Counter confirms{0};
    Counter confirms_done{0};
    Counter confirms_declined{0};
    Counter cancels{0};
    Counter cancels_done{0};
    Counter timeouts{0};  // confirm/cancel took effect and was not answered
    Counter idempotent_replays{0};
    Counter down_closed{0};  // connections closed while down
    Counter webhooks_enqueued{0};
    Counter webhooks_dropped{0};  // queue full
    Counter webhooks_attempts{0};
    Counter webhooks_delivered{0};  // 2xx answers, duplicates included
    Counter webhooks_retried{0};
    Counter webhooks_failed{0};  // gave up after max_attempts
    Counter webhooks_duplicated{0};
    Counter webhooks_reordered{0};

    boost::json::object to_json() const;
};

inline void bump(Stats::Counter& c) { c.fetch_add(1, std::memory_order_relaxed); }

}  // namespace admit::paysim
