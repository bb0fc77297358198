// RedisPool and ScriptRegistry against the private Redis of the test run.
#include <gtest/gtest.h>

#include <thread>

#include "host/store/redis_scripts.hpp"
#include "tests/store/redis_test_helpers.hpp"

namespace admit::store {
namespace {

using testing::run;
using testing::test_redis_options;

class RedisStoreTest : public ::testing::Test {
  protected:
    RedisPool pool_{test_redis_options()};
    std::string prefix_ = testsupport::fresh_key_prefix("store_redis");
};

TEST_F(RedisStoreTest, ArgumentsAndRepliesAreBinarySafe) {
    const std::string key = prefix_ + std::string("k\0ey", 4);
    const std::string value("a\0b\r\n\xff", 6);
    const std::string_view set[] = {"SET", key, value};
    auto stored = pool_.command(set);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_EQ(stored->type, RedisReply::Type::Status);
    EXPECT_EQ(stored->str, "OK");

    const std::string_view get[] = {"GET", key};
    auto got = pool_.command(get);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->type, RedisReply::Type::String);
    EXPECT_EQ(got->str, value);
}

TEST_F(RedisStoreTest, RepliesKeepTheirTypes) {
    auto missing = run(pool_, {"GET", prefix_ + "missing"});
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->type, RedisReply::Type::Nil);

    auto counted = run(pool_, {"INCRBY", prefix_ + "n", "41"});
    ASSERT_TRUE(counted.ok());
    EXPECT_EQ(counted->type, RedisReply::Type::Integer);
    EXPECT_EQ(counted->integer, 41);

    ASSERT_TRUE(run(pool_, {"RPUSH", prefix_ + "list", "a", "b"}).ok());
    auto list = run(pool_, {"LRANGE", prefix_ + "list", "0", "-1"});
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->type, RedisReply::Type::Array);
    ASSERT_EQ(list->elements.size(), 2u);
    EXPECT_EQ(list->elements[1].str, "b");

    auto wrong = run(pool_, {"LPUSH", prefix_ + "n", "x"});
    ASSERT_TRUE(wrong.ok());  // an error reply is a reply, not a failure
    EXPECT_TRUE(wrong->error_starts_with("WRONGTYPE")) << wrong->str;
}

TEST_F(RedisStoreTest, PipelinedCommandsAnswerInOrder) {
    std::vector<std::vector<std::string_view>> batch;
    const std::string key = prefix_ + "p";
    for (int i = 0; i < 5; ++i) batch.push_back({"INCR", key});
    batch.push_back({"NOSUCHCOMMAND"});
    batch.push_back({"GET", key});
    auto replies = pool_.commands(batch);
    ASSERT_TRUE(replies.ok()) << replies.error().message;
    ASSERT_EQ(replies->size(), 7u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(replies.value()[i].integer, i + 1);
    EXPECT_TRUE(replies.value()[5].is_error());
    EXPECT_EQ(replies.value()[6].str, "5");
    EXPECT_TRUE(run(pool_, {"PING"}).ok());  // the connection is still in sync
}

TEST_F(RedisStoreTest, EmptyCommandIsRefused) {
    auto empty = pool_.command({});
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, "INVALID_ARGUMENT");
}

TEST_F(RedisStoreTest, ExhaustedPoolFailsAfterAcquireTimeout) {
    RedisOptions options = test_redis_options(1);
    options.command_timeout = std::chrono::milliseconds{3000};
    RedisPool one(options);
    // Hold the only connection with a blocking pop from another thread.
    std::thread blocker([&] { (void)run(one, {"BLPOP", prefix_ + "never", "1"}); });
    // Wait (bounded) until the blocker holds the connection.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    for (;;) {
        auto clients = run(pool_, {"CLIENT", "LIST"});
        ASSERT_TRUE(clients.ok());
        if (clients->str.find("cmd=blpop") != std::string::npos) break;
        ASSERT_LT(std::chrono::steady_clock::now(), until) << "blocker never started";
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    auto second = run(one, {"PING"});
    blocker.join();
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, "POOL_EXHAUSTED");
}

TEST_F(RedisStoreTest, CommandTimeoutIsReportedAndConnectionDropped) {
    RedisOptions options = test_redis_options(1);
    options.command_timeout = std::chrono::milliseconds{100};
    RedisPool quick(options);
    auto blocked = run(quick, {"BLPOP", prefix_ + "never", "2"});
    ASSERT_FALSE(blocked.ok());
    EXPECT_EQ(blocked.error().code, "TIMEOUT") << blocked.error().message;
    EXPECT_EQ(quick.open_connections(), 0u);
    auto after = run(quick, {"PING"});
    ASSERT_TRUE(after.ok()) << after.error().message;
    EXPECT_EQ(after->str, "PONG");
}

TEST_F(RedisStoreTest, ScriptsRunBySha) {
    ScriptRegistry scripts(pool_);
    ASSERT_TRUE(
        scripts
            .register_script(
                "hold", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])")
            .ok());
    const std::string key = prefix_ + "hold";
    const std::string_view keys[] = {key};
    const std::string_view args[] = {"owner-7"};
    auto reply = scripts.eval("hold", keys, args);
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->str, "owner-7");
    EXPECT_EQ(scripts.sha_of("hold").size(), 40u);
}

TEST_F(RedisStoreTest, ScriptRegistrationErrors) {
    ScriptRegistry scripts(pool_);
    auto invalid = scripts.register_script("broken", "return (");
    ASSERT_FALSE(invalid.ok());
    EXPECT_EQ(invalid.error().code, "SCRIPT_INVALID");

    ASSERT_TRUE(scripts.register_script("one", "return 1").ok());
    EXPECT_TRUE(scripts.register_script("one", "return 1").ok());
    auto clash = scripts.register_script("one", "return 2");
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().code, "CONFLICT");

    auto unknown = scripts.eval("nope", {}, {});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, "NOT_FOUND");

    ASSERT_TRUE(scripts.register_script("fails", "return redis.error_reply('SOLD_OUT')").ok());
    auto failed = scripts.eval("fails", {}, {});
    ASSERT_TRUE(failed.ok());
    EXPECT_TRUE(failed->is_error());
    EXPECT_NE(failed->str.find("SOLD_OUT"), std::string::npos) << failed->str;
}

}  // namespace
}  // namespace admit::store
