// Background threads of the event system (relay, delivery workers, Kafka consumers) run at a
// lower CPU priority than request handling: in a burst (a sale opening) the cores go to the
// buyers' requests first and event delivery catches up right after. Linux applies a nice value
// per thread.
#pragma once

namespace admit::events {

// Sets the calling thread's nice value to `nice` (0..19; 0 leaves it as it is). Best effort: a
// refusal is logged once per process and otherwise ignored.
void run_this_thread_in_background(int nice);

// The calling thread's nice value (for tests).
int this_thread_nice();

}  // namespace admit::events
