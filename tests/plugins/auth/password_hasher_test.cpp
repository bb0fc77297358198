// argon2id hashing and the bounded, per-client gate in front of it.
#include "password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <future>
#include <vector>

namespace admit::auth {
namespace {

using namespace std::chrono_literals;

TEST(PasswordHasher, HashesWithArgon2idAtLeastOwaspMinimum) {
    ASSERT_GE(sodium_init(), 0);
    PasswordHasher hasher(
        HasherLimits{.opslimit = 1, .memlimit_bytes = 1 << 20});  // raised to the minimum
    auto hash = hasher.hash("correct horse battery", "203.0.113.1");
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
    EXPECT_TRUE(*hasher.verify(*hash, "correct horse battery", "203.0.113.1"));
    EXPECT_FALSE(*hasher.verify(*hash, "correct horse battery!", "203.0.113.1"));
    EXPECT_FALSE(*hasher.verify("not a hash", "correct horse battery", "203.0.113.1"));
    EXPECT_FALSE(hasher.needs_rehash(*hash));
    PasswordHasher stronger(HasherLimits{.opslimit = 3});
    EXPECT_TRUE(stronger.needs_rehash(*hash));
}

/// Spins until `condition` holds (at most 5 s); the tests then assert it.
template <typename Condition>
void await(Condition condition) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         !condition() && std::chrono::steady_clock::now() < deadline;) {
        std::this_thread::yield();
    }
}

TEST(BoundedGate, TurnsAwayCallersBeyondCapacityAndQueue) {
    BoundedGate gate(GateLimits{.capacity = 1, .max_waiting = 1, .per_client = 5, .max_wait = 5s});
    auto first = gate.enter("a");
    ASSERT_TRUE(first.ok());
    auto waiter = std::async(std::launch::async, [&gate] { return gate.enter("b").ok(); });
    await([&] { return gate.waiting() == 1; });
    ASSERT_EQ(gate.waiting(), 1);
    auto refused = gate.enter("c");  // inside and queue are full
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status(), ADMIT_E_UNAVAILABLE);
    { auto release = std::move(*first); }
    EXPECT_TRUE(waiter.get()) << "the queued caller gets the freed place";
    EXPECT_EQ(gate.inside(), 0);
    EXPECT_EQ(gate.held_by("a") + gate.held_by("b") + gate.held_by("c"), 0);
}

TEST(BoundedGate, AWaitThatTimesOutIsRefused) {
    BoundedGate gate(
        GateLimits{.capacity = 1, .max_waiting = 4, .per_client = 5, .max_wait = 20ms});
    auto held = gate.enter("a");
    ASSERT_TRUE(held.ok());
    auto late = gate.enter("b");
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.status(), ADMIT_E_UNAVAILABLE);
    EXPECT_EQ(gate.waiting(), 0);
    EXPECT_EQ(gate.held_by("b"), 0);
}

// The attack: one client floods the gate. Only its own share fills (the rest of its calls are
// refused at once, ADMIT_E_REJECTED -> 429), while another client still queues and gets in first
// in line, ahead of the flood's later arrivals.
TEST(BoundedGate, OneClientsFloodFillsOnlyItsShare) {
    BoundedGate gate(GateLimits{.capacity = 1, .max_waiting = 8, .per_client = 2, .max_wait = 5s});
    auto flooding_inside = gate.enter("198.51.100.7");
    ASSERT_TRUE(flooding_inside.ok());
    std::promise<void> release_flood_waiter;
    auto flood_waiter = std::async(std::launch::async, [&] {
        auto ticket = gate.enter("198.51.100.7");
        if (ticket) release_flood_waiter.get_future().wait();
        return ticket.ok();
    });
    await([&] { return gate.waiting() == 1; });
    ASSERT_EQ(gate.held_by("198.51.100.7"), 2);
    for (int i = 0; i < 50; ++i) {
        auto refused = gate.enter("198.51.100.7");
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.status(), ADMIT_E_REJECTED) << "the flood is refused at once, not queued";
    }
    EXPECT_EQ(gate.waiting(), 1) << "the refused calls took no place in the queue";

    auto other = std::async(std::launch::async, [&] { return gate.enter("203.0.113.9").ok(); });
    await([&] { return gate.waiting() == 2; });
    EXPECT_EQ(gate.waiting(), 2) << "another client still queues";
    { auto done = std::move(*flooding_inside); }
    // First in line was the flood's waiter: it holds the place until released.
    await([&] { return gate.inside() == 1 && gate.waiting() == 1; });
    release_flood_waiter.set_value();
    EXPECT_TRUE(flood_waiter.get());
    EXPECT_TRUE(other.get()) << "the other client's call went through";
    EXPECT_EQ(gate.inside(), 0);
    EXPECT_EQ(gate.held_by("198.51.100.7"), 0);
}

}  // namespace
}  // namespace admit::auth
