// Coalescing a line's stream summaries: a host relays at most one `update` per schedule per
// period, yet a client must hear every admission.
// Trap avoided: relaying only the newest summary. Each summary's `admitted` lists the join ids of
// ONE tick; when two ticks (on any host) posted within one relay period, the streams of the hosts
// that read only the newest never heard the first tick's admissions (a waiting buyer connected
// there kept waiting on the stream; QueueFaults.TwoHostsNeverAdmitTheSamePlace caught it).
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::queue {

/// The one message to send for everything posted since the last one.
struct CoalescedUpdate {
    boost::json::object message;  ///< the newest summary; `admitted` joins those of all merged
    int64_t version = 0;          ///< the newest version (the new "sent" version)
    int64_t merged = 0;           ///< how many summaries it stands for
    int64_t missed = 0;           ///< versions after `sent` no longer kept (their lists are lost)
};

/// `stored`: the recent summaries as kept in Redis (JSON objects with an integer "version", any
/// order; malformed entries are skipped). `sent`: the newest version this host sent (0: none).
/// Answers nothing when no summary is newer than `sent`. When every stored version is older than
/// `sent`, Redis lost the line's summaries and numbered them anew: all of them are merged.
std::optional<CoalescedUpdate> coalesce_updates(const std::vector<std::string>& stored,
                                                int64_t sent);

}  // namespace admit::queue
