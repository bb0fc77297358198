// The event bus's tables (schema "admit", migration owner "admit_events").
//
//   event_outbox        one row per publish, written in the publisher's transaction; relayed_at is
//                       set once the relay has handed the row to the backend.
//   event_deliveries    per-subscriber queue of events still to handle (fan-out of the inproc
//   relay,
//                       or Kafka messages whose key is blocked / whose handler failed); attempts,
//                       next_attempt_at and last_error drive retry with backoff.
//   event_handled       (subscriber, event id) recorded in the handler's own transaction.
//   event_dead_letters  events parked for one subscriber after max_attempts, with the error.
// Migration 2 adds the time indexes retention deletes by (retention.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace admit::events {

inline constexpr const char* kMigrationOwner = "admit_events";
inline constexpr const char* kSchema = "admit";
// NOTIFY channel the publisher signals in its transaction; the relay LISTENs on it.
inline constexpr const char* kOutboxChannel = "admit_events_outbox";

struct EventMigration {
    std::uint32_t version;
    std::string name;
    std::string sql;
};

std::vector<EventMigration> event_migrations();

}  // namespace admit::events
