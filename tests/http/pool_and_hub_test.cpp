#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "host/http/response.hpp"
#include "host/http/stream_hub.hpp"
#include "host/http/worker_pool.hpp"
#include "host/observe/metrics.hpp"
#include "raw_client.hpp"

namespace admit::http {
namespace {

using testing::eventually;

TEST(WorkerPool, RefusesWhenQueueIsFullAndFinishesQueuedWorkOnStop) {
    observe::Gauge depth, busy;
    WorkerPool pool(1, 2, &depth, &busy);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> done{0};
    ASSERT_TRUE(pool.try_submit([&] {
        released.wait();
        ++done;
    }));
    ASSERT_TRUE(eventually([&] { return pool.busy_workers() == 1; }));
    EXPECT_EQ(busy.value(), 1.0);
    ASSERT_TRUE(pool.try_submit([&] { ++done; }));
    ASSERT_TRUE(pool.try_submit([&] { ++done; }));
    EXPECT_EQ(pool.queue_depth(), 2u);
    EXPECT_EQ(depth.value(), 2.0);
    WorkerPool::Task refused = [&] { ++done; };
    EXPECT_FALSE(pool.try_submit(refused));
    EXPECT_TRUE(static_cast<bool>(refused)) << "a refused task is left to the caller";
    release.set_value();
    pool.stop();
    EXPECT_EQ(done.load(), 3);
    EXPECT_EQ(depth.value(), 0.0);
    EXPECT_EQ(busy.value(), 0.0);
    EXPECT_FALSE(pool.try_submit([] {}));
}

TEST(WorkerPool, DeferredSubmissionRunsAfterWake) {
    WorkerPool pool(2, 8);
    std::atomic<int> done{0};
    ASSERT_TRUE(eventually([&] { return pool.busy_workers() == 0; }));
    for (int i = 0; i < 5; ++i) {
        WorkerPool::Task task = [&] { ++done; };
        ASSERT_TRUE(pool.try_submit_deferred(task));
    }
    pool.wake_for_queued();
    ASSERT_TRUE(eventually([&] { return done.load() == 5; }));
    EXPECT_EQ(pool.queue_depth(), 0u);
}

TEST(WorkerPool, SurvivesThrowingTasks) {
    WorkerPool pool(1, 4);
    std::atomic<int> done{0};
    ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("boom"); }));
    ASSERT_TRUE(pool.try_submit([&] { ++done; }));
    ASSERT_TRUE(eventually([&] { return done.load() == 1; }));
}

class RecordingSink : public StreamSink {
  public:
    void deliver(std::shared_ptr<const std::string> frame) override {
        std::lock_guard lock(mutex);
        frames.push_back(*frame);
    }
    void close() override { closed = true; }
    std::mutex mutex;
    std::vector<std::string> frames;
    std::atomic<bool> closed{false};
};

TEST(StreamHub, DeliversToSubscribersOfTheTopicOnly) {
    StreamHub hub;
    auto a = std::make_shared<RecordingSink>();
    auto b = std::make_shared<RecordingSink>();
    hub.subscribe("seats/1", a);
    hub.subscribe("seats/2", b);
    EXPECT_EQ(hub.publish("seats/1", "seat", R"({"id":"s1"})"), 1u);
    ASSERT_EQ(a->frames.size(), 1u);
    EXPECT_EQ(a->frames[0], "event: seat\ndata: {\"id\":\"s1\"}\n\n");
    EXPECT_TRUE(b->frames.empty());
    hub.unsubscribe("seats/1", a.get());
    EXPECT_EQ(hub.publish("seats/1", "seat", "x"), 0u);
    b.reset();  // dies without unsubscribing
    EXPECT_EQ(hub.publish("seats/2", "seat", "x"), 0u);
    EXPECT_EQ(hub.subscriber_count("seats/2"), 0u);
}

TEST(StreamHub, CloseAllClosesEverySink) {
    StreamHub hub;
    auto a = std::make_shared<RecordingSink>();
    hub.subscribe("t", a);
    hub.close_all();
    EXPECT_TRUE(a->closed);
    EXPECT_EQ(hub.subscriber_count("t"), 0u);
}

TEST(StreamHub, ResumesAfterAHeldIdWithEveryLaterFrameInOrder) {
    StreamHub hub(nullptr, /*replay_frames=*/4);
    hub.publish("t", "seat", "before-ring");  // no id yet: the topic has no ring, nothing held
    hub.publish("t", "seat", "a", "1");
    hub.publish("t", "seat", "b");  // part of the next change: held, named by the next id
    hub.publish("t", "stock", "c", "2");
    auto late = std::make_shared<RecordingSink>();
    ASSERT_TRUE(hub.subscribe_after("t", "1", late));
    ASSERT_EQ(late->frames.size(), 2u);
    EXPECT_EQ(late->frames[0], "event: seat\ndata: b\n\n");
    EXPECT_EQ(late->frames[1], "id: 2\nevent: stock\ndata: c\n\n");
    // Subscribed by the resumption: later frames arrive as usual.
    EXPECT_EQ(hub.publish("t", "seat", "d", "3"), 1u);
    EXPECT_EQ(late->frames.size(), 3u);

    auto current = std::make_shared<RecordingSink>();
    ASSERT_TRUE(hub.subscribe_after("t", "3", current));  // up to date: nothing to replay
    EXPECT_TRUE(current->frames.empty());
    EXPECT_EQ(hub.subscriber_count("t"), 2u);
}

TEST(StreamHub, RefusesToResumeFromAnIdItNoLongerHolds) {
    StreamHub hub(nullptr, /*replay_frames=*/2);
    hub.publish("t", "seat", "a", "1");
    hub.publish("t", "seat", "b", "2");
    hub.publish("t", "seat", "c", "3");  // "1" falls out of the ring
    auto sink = std::make_shared<RecordingSink>();
    EXPECT_FALSE(hub.subscribe_after("t", "1", sink));
    EXPECT_FALSE(hub.subscribe_after("t", "999", sink));
    EXPECT_FALSE(hub.subscribe_after("other", "3", sink));
    EXPECT_TRUE(sink->frames.empty());
    EXPECT_EQ(hub.subscriber_count("t"), 0u);  // refused means not subscribed
    EXPECT_TRUE(hub.subscribe_after("t", "2", sink));
    EXPECT_EQ(sink->frames.size(), 1u);
}

TEST(StreamHub, KeepsRingsForABoundedNumberOfTopics) {
    StreamHub hub(nullptr, 4, /*replay_topics=*/2);
    auto listener = std::make_shared<RecordingSink>();
    hub.subscribe("listened", listener);
    hub.publish("listened", "e", "x", "1");
    hub.publish("quiet-1", "e", "x", "1");
    hub.publish("quiet-2", "e", "x", "1");  // over the bound: a ring nobody listens to goes
    auto sink = std::make_shared<RecordingSink>();
    EXPECT_FALSE(hub.subscribe_after("quiet-1", "1", sink));
    EXPECT_TRUE(hub.subscribe_after("quiet-2", "1", sink));
    EXPECT_TRUE(hub.subscribe_after("listened", "1", sink));
}

TEST(SseFormat, SplitsDataLines) {
    EXPECT_EQ(format_sse_event("", "a\nb"), "data: a\ndata: b\n\n");
    EXPECT_EQ(format_sse_event("e", ""), "event: e\ndata: \n\n");
}

TEST(ResponseError, BuildsStandardJsonEscapedBody) {
    auto response = Response::error(409, "SEAT_TAKEN", "seat \"A1\" is taken", "t1");
    EXPECT_EQ(response.status, 409);
    EXPECT_EQ(response.body,
              R"({"code":"SEAT_TAKEN","message":"seat \"A1\" is taken","traceId":"t1"})");
    EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
}

}  // namespace
}  // namespace admit::http
