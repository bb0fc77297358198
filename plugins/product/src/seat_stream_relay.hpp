// SeatStreamRelay: a schedule's seat-map stream hears every change, whichever host handled it.
//
// Trap avoided: only the host whose delivery thread handled a reservation event used to publish
// its frames, so behind a balancer a buyer's stream (on any host) heard the holds of one host in
// N. Here every change goes to Redis with its map version, in the script that bumps the version
// (the schedule's change list, SeatMap::apply), and every host sends its own streams what it has
// not sent yet, in version order: the host that applied a change at once (changed()), the others
// within one `period` (a thread reading each schedule this host follows: see kResumeWindow).
//
// Versions grow by one per change, so a host sees when it missed some (the list keeps the last
// SeatMap::kKeptChanges; a rebuilt hash starts again at the wall clock, with an empty list): it
// then sends its streams a "snapshot" event, the whole map, which the web app already takes at
// any time, and continues from the snapshot's version. A host that first sees a schedule (its
// first stream opened) starts at the version that stream's snapshot showed.
//
// Frames keep their version as the SSE id (seat_change.hpp), so a client that reconnects to the
// same host with Last-Event-ID is sent what followed from the host's replay ring: a host keeps
// following a schedule for kResumeWindow after its last stream there closed, so that the ring
// holds what happened while the client was away.
//
// Thread-safety: all members may be called from any thread. closed() only takes a short lock (it
// runs on a host I/O thread); opened() (a worker thread, in on_open) may wait for a relay pass.
// Sending holds `sent_mutex_` across its Redis read, so this host's streams never get a change
// twice, nor an older one after a newer.
#pragma once

#include "seat_change.hpp"
#include "seat_map.hpp"

#include <admit/sdk.hpp>
#include <admit/sdk/periodic_thread.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace admit::product {

class SeatStreamRelay {
  public:
    SeatStreamRelay(admit::sdk::Host& host, SeatMap& map, std::chrono::milliseconds period)
        : host_(host),
          map_(map),
          period_(period),
          thread_(
              period, [this] { relay_once(); },
              [this](const std::string& what) { host_.warn("seat stream relay: ", what); }) {}
    SeatStreamRelay(const SeatStreamRelay&) = delete;
    SeatStreamRelay& operator=(const SeatStreamRelay&) = delete;

    /// A stream of `schedule_id` opened here after a snapshot of map version `snapshot_version`
    /// (nullopt: not a Redis version, e.g. the map was read from PostgreSQL).
    void opened(const std::string& schedule_id, std::optional<int64_t> snapshot_version);
    /// One such stream ended (once per opened()). Never blocks on the network.
    void closed(const std::string& schedule_id);

    /// This host applied `change` to Redis as `version`: its streams get it (and whatever other
    /// hosts applied before it) now. Without a version (Redis did not take the change) the
    /// frames go out here without an id; the other hosts' streams get a snapshot once the map is
    /// rebuilt.
    void changed(const SeatChange& change, std::optional<int64_t> version);

    void start() { thread_.start(); }
    void stop() { thread_.stop(); }
    /// One pass over the schedules followed here (the thread runs it every period).
    void relay_once();

    /// How long a host keeps following a schedule after its last stream there closed.
    static constexpr std::chrono::minutes kResumeWindow{2};

  private:
    /// A stream of the schedule is open here, or closed less than kResumeWindow ago.
    bool watched(const std::string& schedule_id) const;
    /// Sends `schedule_id`'s streams what they have not had. Caller holds sent_mutex_.
    void relay_schedule(const std::string& schedule_id);
    /// The whole map as a "snapshot" event; returns the version it showed (nullopt: not sent).
    std::optional<int64_t> send_snapshot(const std::string& schedule_id);

    admit::sdk::Host& host_;
    SeatMap& map_;
    const std::chrono::milliseconds period_;

    struct Streams {
        int open = 0;                                  ///< streams of the schedule open here
        std::chrono::steady_clock::time_point closed;  ///< when the last one closed
    };
    mutable std::mutex streams_mutex_;
    std::unordered_map<std::string, Streams> streams_;  ///< followed schedules

    std::mutex sent_mutex_;
    std::unordered_map<std::string, int64_t> sent_;  ///< schedule -> newest version sent here
    std::chrono::steady_clock::time_point last_warning_{};  ///< under sent_mutex_

    admit::sdk::PeriodicThread thread_;  ///< last: stopped first, before the state it reads goes
};

}  // namespace admit::product
