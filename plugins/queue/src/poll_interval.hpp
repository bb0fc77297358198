// How long a waiting client should wait before its next status poll: short near the front of the
// line, long far back, jittered so a crowd does not poll in lockstep. Pure; thread-safe.
#pragma once

#include <cstdint>

namespace admit::queue {

/// pollAfterMs for a client at `position` (1 = next to be admitted; 0 = not in line yet, e.g. the
/// pre-queue). `jitter` is a uniform random number in [0, 1). Promises: 1000..2000 ms for
/// positions 1..50, growing with the position, never above 30,000 ms, never below 1000 ms.
int64_t poll_after_ms(int64_t position, double jitter);

/// Seconds until a client at `position` is admitted at `per_second` admissions per second
/// (rounded up; 0 at position 0; -1 when nothing is being admitted).
int64_t eta_seconds(int64_t position, double per_second);

}  // namespace admit::queue
