// A publisher that dies (SIGKILL) after committing but before relaying loses nothing: a new bus
// relays from the durable outbox state. Runs on both backends.
#include <csignal>
#include <cstdio>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/events/event_bus_fixture.hpp"

namespace admit::events::testing {
namespace {

// Starts the publisher helper; returns its pid once it printed "committed" (or -1).
pid_t run_publisher_until_committed(const std::string& url, const std::string& topic, int count) {
    int out[2];
    if (pipe(out) != 0) return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        const std::string n = std::to_string(count);
        execl(ADMIT_EVENTS_PUBLISHER, ADMIT_EVENTS_PUBLISHER, url.c_str(), topic.c_str(), "key-1",
              n.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;  // blocks until the helper reports
    close(out[0]);
    if (line != "committed") {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        return -1;
    }
    return pid;
}

TEST_P(EventBusTest, RelayResumesAfterPublisherIsKilledBeforeRelaying) {
    auto bus = make_bus({"crash"});  // migrates the database the helper publishes to
    constexpr int kCount = 5;
    const pid_t pid = run_publisher_until_committed(database_->url(), "crash", kCount);
    ASSERT_GT(pid, 0) << "publisher helper did not commit";
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_outbox WHERE relayed_at IS NULL"),
              std::to_string(kCount));

    ASSERT_TRUE(bus->subscribe({"crash", "survivor", recording_handler("survivor")}).ok());
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return effects("survivor") == kCount; })) << describe(*bus);
    bus->stop();
    const auto seen = calls("survivor");
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i) EXPECT_EQ(seen[i].event.payload, "crash-" + std::to_string(i));
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_outbox WHERE relayed_at IS NULL"),
              "0");
}

INSTANTIATE_TEST_SUITE_P(Backends, EventBusTest, ::testing::Values(Backend::inproc, Backend::kafka),
                         backend_name);

}  // namespace
}  // namespace admit::events::testing
