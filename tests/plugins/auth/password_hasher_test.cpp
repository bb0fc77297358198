// argon2id hashing and the bounded gate in front of it.
#include "password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <future>

namespace admit::auth {
namespace {

TEST(PasswordHasher, HashesWithArgon2idAtLeastOwaspMinimum) {
    ASSERT_GE(sodium_init(), 0);
    PasswordHasher hasher(
        HasherLimits{.opslimit = 1, .memlimit_bytes = 1 << 20});  // raised to the minimum
    auto hash = hasher.hash("correct horse battery");
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
    EXPECT_TRUE(*hasher.verify(*hash, "correct horse battery"));
    EXPECT_FALSE(*hasher.verify(*hash, "correct horse battery!"));
    EXPECT_FALSE(*hasher.verify("not a hash", "correct horse battery"));
    EXPECT_FALSE(hasher.needs_rehash(*hash));
    PasswordHasher stronger(HasherLimits{.opslimit = 3});
    EXPECT_TRUE(stronger.needs_rehash(*hash));
}

TEST(BoundedGate, TurnsAwayCallersBeyondCapacityAndQueue) {
    BoundedGate gate(1, 1, std::chrono::milliseconds(5000));
    auto first = gate.enter();
    ASSERT_TRUE(first.ok());
    auto waiter = std::async(std::launch::async, [&gate] { return gate.enter().ok(); });
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
         gate.waiting() == 0 && std::chrono::steady_clock::now() < deadline;) {
        std::this_thread::yield();
    }
    ASSERT_EQ(gate.waiting(), 1);
    auto refused = gate.enter();  // inside and queue are full
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status(), ADMIT_E_UNAVAILABLE);
    { auto release = std::move(*first); }
    EXPECT_TRUE(waiter.get()) << "the queued caller gets the freed place";
    EXPECT_EQ(gate.inside(), 0);
}

TEST(BoundedGate, AWaitThatTimesOutIsRefused) {
    BoundedGate gate(1, 4, std::chrono::milliseconds(20));
    auto held = gate.enter();
    ASSERT_TRUE(held.ok());
    auto late = gate.enter();
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.status(), ADMIT_E_UNAVAILABLE);
    EXPECT_EQ(gate.waiting(), 0);
}

}  // namespace
}  // namespace admit::auth
