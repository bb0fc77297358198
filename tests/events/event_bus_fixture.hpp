// Parameterized fixture: every event test runs on both backends (inproc and kafka mock cluster)
// against its own database.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/events/event_test_env.hpp"

namespace admit::events::testing {

// One handler invocation as the handler saw it (recorded even when its transaction rolls back).
struct HandlerCall {
    std::string subscriber;
    Event event;
    std::chrono::steady_clock::time_point at;
    bool failed = false;
};

class EventBusTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override;
    void TearDown() override;

    // Options for this backend with fast test timings (backoff 20 ms, 3 attempts).
    EventOptions options() const;
    // A bus on this test's database; kafka topics named in `topics` are created on the mock.
    std::unique_ptr<EventBus> make_bus(const std::vector<std::string>& topics, EventOptions opts);
    std::unique_ptr<EventBus> make_bus(const std::vector<std::string>& topics) {
        return make_bus(topics, options());
    }

    // A handler that inserts (subscriber, event id, key, payload) into public.effects in the
    // delivery transaction and records the call; it fails (HANDLER_FAILED) while
    // `should_fail(event)` is true.
    EventHandler recording_handler(const std::string& subscriber,
                                   std::function<bool(const Event&)> should_fail = {});

    std::vector<HandlerCall> calls(const std::string& subscriber) const;
    std::size_t successful_calls(const std::string& subscriber) const;
    // Rows of public.effects for the subscriber (committed handler effects).
    std::size_t effects(const std::string& subscriber);

    // (key, payload) of the subscriber's committed effects in the order the handler wrote them.
    std::vector<std::pair<std::string, std::string>> effects_in_order(
        const std::string& subscriber);

    // Counters and queue sizes, for failure messages.
    std::string describe(const EventBus& bus);

    std::unique_ptr<TestDatabase> database_;
    std::unique_ptr<store::PgPool> pool_;
    std::unique_ptr<MockKafka> kafka_;

  private:
    mutable std::mutex mutex_;
    std::vector<HandlerCall> calls_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace admit::events::testing

namespace admit::events {
// Readable parameter in test names and failure messages ("inproc" / "kafka").
void PrintTo(Backend backend, std::ostream* out);
}  // namespace admit::events
