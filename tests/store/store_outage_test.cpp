// Servers going away mid-test. Runs alone (RUN_SERIAL): it stops the shared Redis and PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>

#include "host/store/redis_scripts.hpp"
#include "tests/store/pg_test_helpers.hpp"
#include "tests/store/redis_test_helpers.hpp"

namespace admit::store {
namespace {

using Clock = std::chrono::steady_clock;
using testing::run;

// Polls `attempt` until it returns true or `limit` passes; returns whether it succeeded.
template <typename Attempt>
bool eventually(Attempt attempt, std::chrono::milliseconds limit = std::chrono::seconds{10}) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (attempt()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return attempt();
}

// Restarts a stopped server even when an assertion fails midway.
struct RestartGuard {
    void (*start)();
    ~RestartGuard() { start(); }
};

TEST(StoreOutageTest, ScriptIsReloadedAfterScriptFlush) {
    RedisPool pool(testing::test_redis_options());
    ScriptRegistry scripts(pool);
    ASSERT_TRUE(scripts.register_script("echo", "return ARGV[1]").ok());
    const std::string_view args[] = {"hello"};
    ASSERT_TRUE(scripts.eval("echo", {}, args).ok());

    ASSERT_TRUE(run(pool, {"SCRIPT", "FLUSH"}).ok());
    auto exists = run(pool, {"SCRIPT", "EXISTS", scripts.sha_of("echo")});
    ASSERT_TRUE(exists.ok());
    ASSERT_EQ(exists->elements.at(0).integer, 0);

    auto reply = scripts.eval("echo", {}, args);
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->str, "hello");
}

TEST(StoreOutageTest, RedisDownFailsFastThenRecoversAfterRestart) {
    RedisPool pool(testing::test_redis_options());
    ScriptRegistry scripts(pool);
    ASSERT_TRUE(scripts.register_script("one", "return 1").ok());
    ASSERT_TRUE(run(pool, {"PING"}).ok());
    {
        RestartGuard restart{&testsupport::start_redis};
        testsupport::stop_redis();
        for (int i = 0; i < 20; ++i) {
            const auto started = Clock::now();
            auto reply = run(pool, {"PING"});
            ASSERT_FALSE(reply.ok());
            EXPECT_EQ(reply.error().code, "DEPENDENCY_UNAVAILABLE") << reply.error().message;
            EXPECT_LT(Clock::now() - started, std::chrono::milliseconds{200});
        }
        EXPECT_FALSE(pool.healthy());
    }
    // Redis is back (empty: the script cache is gone too).
    EXPECT_TRUE(eventually([&] { return pool.ping().ok(); }));
    EXPECT_TRUE(pool.healthy());
    auto reply = scripts.eval("one", {}, {});
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->integer, 1);
}

TEST(StoreOutageTest, PostgresDownFailsFastThenRecoversAfterRestart) {
    PgPool pool(testing::test_pg_options(4));
    ASSERT_TRUE(execute(pool, "SELECT 1", {}, nullptr).ok());  // an idle connection now exists
    ASSERT_TRUE(pool.ping().ok());                             // and the ping's own one
    {
        RestartGuard restart{&testsupport::start_postgres};
        testsupport::stop_postgres();
        for (int i = 0; i < 20; ++i) {
            const auto started = Clock::now();
            auto result = execute(pool, "SELECT 1", {}, nullptr);
            ASSERT_FALSE(result.ok());
            EXPECT_EQ(result.error().code, "DEPENDENCY_UNAVAILABLE") << result.error().message;
            auto pinged = pool.ping();
            ASSERT_FALSE(pinged.ok());
            EXPECT_EQ(pinged.error().code, "DEPENDENCY_UNAVAILABLE") << pinged.error().message;
            EXPECT_LT(Clock::now() - started, std::chrono::milliseconds{500});
        }
        EXPECT_FALSE(pool.healthy());
    }
    // The ping finds the restarted server on a new connection of its own, as the pool does.
    EXPECT_TRUE(eventually([&] { return pool.ping().ok(); }));
    EXPECT_TRUE(eventually([&] { return execute(pool, "SELECT 1", {}, nullptr).ok(); }));
    EXPECT_TRUE(pool.healthy());
}

}  // namespace
}  // namespace admit::store
