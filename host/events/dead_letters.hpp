// Operator access to parked events (event_dead_letters).
#pragma once

#include <cstdint>
#include <vector>

#include "host/common/result.hpp"
#include "host/events/event_types.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events {

// Parked events not yet replayed, oldest first (at most `limit`).
Result<std::vector<DeadLetter>> list_dead_letters(store::PgPool& pool, std::size_t limit);

// Puts dead letter `id` back at the end of its subscriber's queue (attempts start again at 1) and
// marks it replayed, in one transaction. Returns the subscriber, so its dispatcher can be woken.
// Error{ErrorCode::NOT_FOUND} when there is no such unreplayed dead letter.
Result<std::string> replay_dead_letter(store::PgPool& pool, std::int64_t id, std::int64_t now_us);

}  // namespace admit::events
