// SeatChange: one committed change of a schedule's seat map as its streams show it, and its
// record in Redis (the change list every host's relay reads, seat_stream_relay.hpp).
//
// Frames (SSE topic "seats:{scheduleId}"): a "seat" frame {"seatIds", "status"} when seats
// changed, then one "stock" frame {"gradeId", "remaining"} per touched grade. Only the last frame
// of a change carries the map version it produced as its id, so a client that saw that id has
// seen the whole change.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::product {

/// `status` ("HELD", "SOLD", or "" for AVAILABLE) of `changed` seats, and absolute remaining
/// units per grade id.
struct SeatChange {
    std::string schedule_id;
    std::string status;
    std::vector<std::string> changed;
    std::map<std::string, int64_t> remaining;
};

/// A change read back from the change list, with the map version it produced.
struct RecordedChange {
    int64_t version = 0;
    SeatChange change;
};

/// The change as its list record's JSON ({"status", "seatIds", "remaining"}; the schedule is the
/// list's).
std::string change_record(const SeatChange& change);

/// Parses a list entry "<version> <record>" of `schedule_id`'s list; nullopt when malformed.
std::optional<RecordedChange> parse_recorded_change(const std::string& schedule_id,
                                                    std::string_view entry);

/// A map version as text ("17", SeatMapView::version) as a number; nullopt for anything else
/// (the "pg" of a map read from PostgreSQL).
std::optional<int64_t> map_version(std::string_view text);

/// Publishes `change`'s frames to "seats:{scheduleId}" on this host; the last carries `version`
/// as its id (empty: no id, a reconnect then gets a snapshot).
void publish_change_frames(const admit::sdk::Host& host, const SeatChange& change,
                           std::string_view version);

}  // namespace admit::product
