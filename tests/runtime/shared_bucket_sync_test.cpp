// SharedBucketSync against the private Redis of the test run: requests counted while a call is in
// flight go together in the next call, and every one of them is in the shared bucket.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "host/observe/metrics.hpp"
#include "host/pipeline/rate_buckets.hpp"
#include "host/pipeline/shared_bucket_sync.hpp"
#include "host/store/redis_scripts.hpp"
#include "tests/store/redis_test_helpers.hpp"
#include "tests/support/e2e_helpers.hpp"

namespace admit::runtime {
namespace {

using admit::testing::eventually;
using store::testing::run;
using store::testing::test_redis_options;

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double stored_tat(store::RedisPool& pool, const std::string& key) {
    auto got = run(pool, {"GET", key});
    return got && got->type == store::RedisReply::Type::String ? std::stod(got->str) : 0.0;
}

class SharedBucketSyncTest : public ::testing::Test {
  protected:
    store::RedisPool pool_{test_redis_options()};
    store::ScriptRegistry scripts_{pool_};
    std::shared_ptr<RateBuckets> buckets_ = std::make_shared<RateBuckets>();
    std::string prefix_ = testsupport::fresh_key_prefix("bucket_sync");
    observe::Counter calls_, requests_;
    SharedBucketCounters counters_{&calls_, &requests_};
};

TEST_F(SharedBucketSyncTest, RequestsCountedDuringACallGoTogetherAndAllAreCounted) {
    SharedBucketSync sync(scripts_, buckets_, counters_);
    // Redis answers nobody for 300 ms: the first call waits, the rest must pile up behind it.
    store::RedisPool pauser(test_redis_options(1));
    ASSERT_TRUE(run(pauser, {"CLIENT", "PAUSE", "300", "ALL"}).ok());
    const int64_t start = wall_ms();
    // 100 per 10 minutes each (room for all of them), an interval of 6 s. A bucket's key expires
    // when its TAT passes, so the TATs must stay ahead of the clock for as long as a slow machine
    // takes to check them: 40 requests keep a key four minutes (an interval of 60 ms kept it
    // 2.4 s, and a loaded CI machine found it gone).
    constexpr int kKeys = 10, kPerKey = 40;
    constexpr int64_t kLimit = 100, kWindowMs = 600'000;
    constexpr double kIntervalMs = static_cast<double>(kWindowMs) / kLimit;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kKeys * kPerKey / 4; ++i) {
                const int key = (t * 7 + i) % kKeys;
                sync.count(prefix_ + std::to_string(key), wall_ms(), kLimit, kWindowMs);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_TRUE(eventually([&] {
        return requests_.value() == kKeys * kPerKey &&
               stored_tat(pool_, prefix_ + "0") >=
                   static_cast<double>(start) + kPerKey * kIntervalMs - 1;
    }));
    EXPECT_LE(calls_.value(), 3.0) << "one call in flight, the rest counted for the next";
    // Every request moved its bucket one interval on from the moment it was counted.
    for (int key = 0; key < kKeys; ++key) {
        const double tat = stored_tat(pool_, prefix_ + std::to_string(key));
        EXPECT_GE(tat, static_cast<double>(start) + kPerKey * kIntervalMs - 1) << key;
        EXPECT_LE(tat, static_cast<double>(wall_ms()) + kPerKey * kIntervalMs + 1) << key;
    }
}

TEST_F(SharedBucketSyncTest, ABatchOfManyKeysGoesInSeveralBoundedCallsAndAllAreCounted) {
    SharedBucketSync sync(scripts_, buckets_, counters_);
    store::RedisPool pauser(test_redis_options(1));
    ASSERT_TRUE(run(pauser, {"CLIENT", "PAUSE", "300", "ALL"}).ok());
    const int64_t start = wall_ms();
    constexpr int kKeys = 300;  // the first call, then 299 keys in calls of at most 128
    // 10 per 10 minutes: one request keeps its key (and TAT) a minute, however slow the machine.
    for (int key = 0; key < kKeys; ++key)
        sync.count(prefix_ + std::to_string(key), wall_ms(), 10, 600'000);
    ASSERT_TRUE(eventually([&] {
        return requests_.value() == kKeys &&
               stored_tat(pool_, prefix_ + std::to_string(kKeys - 1)) >= start + 60'000.0 - 1;
    }));
    EXPECT_EQ(calls_.value(), 4.0) << "1 + ceil(299 / 128)";
    for (int key = 0; key < kKeys; ++key)
        EXPECT_GE(stored_tat(pool_, prefix_ + std::to_string(key)), start + 60'000.0 - 1) << key;
}

TEST_F(SharedBucketSyncTest, ACountBeyondTheSharedBucketIsCappedAndTheReplyIsLearned) {
    SharedBucketSync sync(scripts_, buckets_, counters_);
    const std::string key = prefix_ + "full";
    // Another host used the whole budget (5 per minute) a moment ago.
    const int64_t now = wall_ms();
    ASSERT_TRUE(run(pool_, {"SET", key, std::to_string(now + 60'000)}).ok());
    sync.count(key, now, 5, 60'000);
    ASSERT_TRUE(eventually([&] { return !buckets_->take(key, now, 5, 60'000).allowed; }))
        << "the shared bucket's TAT reached this host's copy";
    EXPECT_NEAR(stored_tat(pool_, key), static_cast<double>(now + 60'000), 1.0)
        << "a request the shared bucket has no room for is not counted";
}

}  // namespace
}  // namespace admit::runtime
