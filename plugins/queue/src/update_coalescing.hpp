// Coalescing a line's stream summaries: a host relays at most one `update` per schedule per
// period, yet a client must hear every admission.
// Trap avoided: relaying only the newest summary. Each summary's `admitted` lists the join ids of
// ONE tick; when two ticks (on any host) posted within one relay period, the streams of the hosts
// that read only the newest never heard the first tick's admissions (a waiting buyer connected
// there kept waiting on the stream; QueueFaults.TwoHostsNeverAdmitTheSamePlace caught it).
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <cstddef>
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
/// order; malformed entries are skipped). `sent`: the newest version this host sent, or nothing
/// when it has sent none for the schedule yet: then the newest `first_sight` summaries are merged
/// (enough for the ticks of a line this host noticed late; a host restarted in a long sale does
/// not send every kept summary to streams that got their snapshot moments ago). Answers nothing
/// when no summary is newer than `sent`. When every stored version is older than `sent`, Redis
/// lost the line's summaries and numbered them anew: all of them are merged.
std::optional<CoalescedUpdate> coalesce_updates(const std::vector<std::string>& stored,
                                                std::optional<int64_t> sent,
                                                std::size_t first_sight);

}  // namespace admit::queue
