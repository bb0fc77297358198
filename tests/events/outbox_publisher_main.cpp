// Test helper for the crash test: publishes COUNT events on TOPIC/KEY to the outbox of DB_URL,
// each in its own committed transaction, with no relay running, prints "committed" and then waits
// to be killed.   usage: events_outbox_publisher DB_URL TOPIC KEY COUNT
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "host/events/event_bus.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s DB_URL TOPIC KEY COUNT\n", argv[0]);
        return 2;
    }
    admit::store::PgOptions pg;
    pg.url = argv[1];
    pg.pool_size = 1;
    admit::store::PgPool pool(pg);
    admit::events::EventBus bus({}, pool);  // never started: nothing is relayed here
    const int count = std::atoi(argv[4]);
    for (int i = 0; i < count; ++i) {
        auto lease = pool.acquire();
        if (!lease) {
            std::fprintf(stderr, "publisher: %s\n", lease.error().message.c_str());
            return 1;
        }
        pqxx::work tx(lease->conn());
        auto id = bus.publish(tx, argv[2], argv[3], "crash-" + std::to_string(i));
        if (!id) {
            std::fprintf(stderr, "publisher: %s\n", id.error().message.c_str());
            return 1;
        }
        tx.commit();
    }
    std::printf("committed\n");
    std::fflush(stdout);
    for (;;) pause();
}
