// PendingReply: the order of finish() and on_ready() does not matter, the first answer wins, a
// cancelled reply delivers nothing, and a step that throws becomes a 500.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "host/http/pending_reply.hpp"

namespace admit::http {
namespace {

Response answer(int status) { return Response::json(status, "{}"); }

TEST(PendingReply, AFinishBeforeOnReadyIsDeliveredByOnReady) {
    PendingReply reply;
    EXPECT_TRUE(reply.finish(answer(201)));
    EXPECT_TRUE(reply.finished());
    int delivered = 0;
    reply.on_ready([&](Response r) { delivered = r.status; });
    EXPECT_EQ(delivered, 201);
}

TEST(PendingReply, AFinishAfterOnReadyIsDeliveredOnTheFinishingThread) {
    PendingReply reply;
    std::thread::id delivered_on;
    int delivered = 0;
    reply.on_ready([&](Response r) {
        delivered = r.status;
        delivered_on = std::this_thread::get_id();
    });
    EXPECT_EQ(delivered, 0);
    std::thread::id finisher;
    std::thread other([&] {
        finisher = std::this_thread::get_id();
        EXPECT_TRUE(reply.finish(answer(200)));
    });
    other.join();
    EXPECT_EQ(delivered, 200);
    EXPECT_EQ(delivered_on, finisher);
}

TEST(PendingReply, TheFirstAnswerWinsAndALateOneIsDropped) {
    PendingReply reply;
    int deliveries = 0;
    int status = 0;
    reply.on_ready([&](Response r) {
        ++deliveries;
        status = r.status;
    });
    EXPECT_TRUE(reply.finish(answer(503)));
    EXPECT_FALSE(reply.finish(answer(201)));
    EXPECT_EQ(deliveries, 1);
    EXPECT_EQ(status, 503);
}

TEST(PendingReply, StepsRunInOrderBeforeTheDelivery) {
    PendingReply reply;
    reply.add_step([](Response& r) { r.set_header("X-Step", "one"); });
    reply.add_step(
        [](Response& r) { r.set_header("X-Step", std::string(*r.header("X-Step")) + ",two"); });
    std::string seen;
    reply.on_ready([&](Response r) { seen = std::string(r.header("X-Step").value_or("")); });
    reply.finish(answer(200));
    EXPECT_EQ(seen, "one,two");
}

TEST(PendingReply, AThrowingStepTurnsTheAnswerInto500) {
    PendingReply reply;
    reply.add_step([](Response&) { throw std::runtime_error("step failed"); });
    int status = 0;
    reply.on_ready([&](Response r) { status = r.status; });
    reply.finish(answer(201));
    EXPECT_EQ(status, 500);
}

TEST(PendingReply, NothingIsDeliveredAfterCancelAndWhatItHeldIsReleased) {
    PendingReply reply;
    auto held = std::make_shared<int>(7);
    std::weak_ptr<int> watch = held;
    int deliveries = 0;
    reply.on_ready([&deliveries, held = std::move(held)](Response) { ++deliveries; });
    reply.cancel();
    EXPECT_TRUE(watch.expired());  // the receiver (a connection) is no longer kept alive
    EXPECT_FALSE(reply.finish(answer(200)));
    EXPECT_EQ(deliveries, 0);
}

TEST(PendingReply, ACancelBeforeOnReadyDropsTheLaterReceiver) {
    PendingReply reply;
    reply.finish(answer(200));
    reply.cancel();
    int deliveries = 0;
    reply.on_ready([&](Response) { ++deliveries; });
    EXPECT_EQ(deliveries, 0);
}

}  // namespace
}  // namespace admit::http
