// RedisPool and ScriptRegistry against the private Redis of the test run.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
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

TEST_F(RedisStoreTest, CommandsThatChangeOrBlockTheirConnectionAreRefused) {
    const std::vector<std::vector<std::string>> refused = {
        {"MULTI"},
        {"exec"},
        {"WATCH", prefix_ + "k"},
        {"SELECT", "1"},
        {"SUBSCRIBE", "ch"},
        {"BLPOP", prefix_ + "l", "1"},
        {"brpoplpush", "a", "b", "1"},
        {"CLIENT", "REPLY", "OFF"},
        {"XREAD", "BLOCK", "10", "STREAMS", "s", "$"}};
    for (const auto& argv : refused) {
        auto reply = run(pool_, argv);
        ASSERT_FALSE(reply.ok()) << argv.front();
        EXPECT_EQ(reply.error().code, "INVALID_ARGUMENT") << argv.front();
    }
    EXPECT_TRUE(run(pool_, {"CLIENT", "LIST"}).ok());
    EXPECT_TRUE(run(pool_, {"XREAD", "COUNT", "1", "STREAMS", prefix_ + "s", "0"}).ok());

    std::vector<std::vector<std::string_view>> batch = {{"PING"}, {"MULTI"}};
    auto group = pool_.commands(batch);
    ASSERT_FALSE(group.ok());
    EXPECT_EQ(group.error().code, "INVALID_ARGUMENT");
}

TEST_F(RedisStoreTest, ConcurrentCallersSharePipelinesAndEachGetsItsOwnReplies) {
    RedisPool two(test_redis_options(2));
    constexpr int kThreads = 24;
    constexpr int kCommands = 200;
    std::atomic<int> wrong{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < kThreads; ++t) {
        callers.emplace_back([&, t] {
            const std::string key = prefix_ + "n" + std::to_string(t);
            for (int i = 1; i <= kCommands; ++i) {
                auto counted = run(two, {"INCR", key});
                if (!counted.ok() || counted->integer != i) ++wrong;
            }
        });
    }
    for (auto& caller : callers) caller.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(two.commands_sent(), static_cast<std::uint64_t>(kThreads * kCommands));
    EXPECT_LT(two.pipelines_sent(), two.commands_sent());  // callers' commands shared pipelines
    EXPECT_LE(two.open_connections(), 2u);
}

TEST_F(RedisStoreTest, ACallerThatFindsAConnectionFreeSendsItsCommandItself) {
    RedisPool two(test_redis_options(2));
    const std::string key = prefix_ + "led";
    for (int i = 1; i <= 20; ++i) {
        auto counted = run(two, {"INCR", key});
        ASSERT_TRUE(counted.ok()) << counted.error().message;
        EXPECT_EQ(counted->integer, i);
    }
    // One caller at a time always finds a connection free: no command went through a lane.
    EXPECT_EQ(two.pipelines_led_by_callers(), 20u);
    EXPECT_EQ(two.pipelines_sent(), 20u);
    EXPECT_LE(two.open_connections(), 2u);
}

TEST_F(RedisStoreTest, CommandsQueuedBehindBusyConnectionsAreCarriedByLanesOrCallers) {
    RedisPool one(test_redis_options(1));
    const std::string key = prefix_ + "busy";
    constexpr int kThreads = 16;
    constexpr int kCommands = 100;
    std::atomic<int> failed{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < kThreads; ++t) {
        callers.emplace_back([&] {
            for (int i = 0; i < kCommands; ++i) {
                if (!run(one, {"INCR", key}).ok()) ++failed;
            }
        });
    }
    for (auto& caller : callers) caller.join();
    EXPECT_EQ(failed.load(), 0);
    auto total = run(one, {"GET", key});
    ASSERT_TRUE(total.ok());
    EXPECT_EQ(total->str, std::to_string(kThreads * kCommands));
    // With one connection, callers that found it busy were queued and shared pipelines.
    EXPECT_LT(one.pipelines_sent(), one.commands_sent());
    EXPECT_LE(one.open_connections(), 1u);
}

// A TCP listener that accepts connections and never answers: a Redis that hangs.
class SilentServer {
  public:
    SilentServer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(listener_, 16) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            ADD_FAILURE() << "cannot listen on loopback";
        }
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] {
            for (;;) {
                int fd = ::accept(listener_, nullptr, nullptr);
                if (fd < 0) return;
                std::lock_guard lock(mutex_);
                accepted_.push_back(fd);
            }
        });
    }
    ~SilentServer() {
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        acceptor_.join();
        for (int fd : accepted_) ::close(fd);
    }
    int port() const { return port_; }
    std::size_t accepted() {
        std::lock_guard lock(mutex_);
        return accepted_.size();
    }

  private:
    int listener_ = -1;
    int port_ = 0;
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<int> accepted_;
};

TEST(RedisPoolHangTest, CommandsWaitingForABusyLaneFailAfterAcquireTimeout) {
    SilentServer hung;
    RedisOptions options = test_redis_options(1);
    options.port = hung.port();
    options.command_timeout = std::chrono::milliseconds{1500};
    RedisPool one(options);
    std::thread stuck([&] {
        auto first = run(one, {"PING"});
        EXPECT_FALSE(first.ok());
        if (!first.ok()) {
            EXPECT_EQ(first.error().code, "TIMEOUT");
        }
    });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (one.pipelines_sent() == 0) {  // the only lane is now waiting for the first reply
        ASSERT_LT(std::chrono::steady_clock::now(), until) << "the first command was never sent";
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    auto second = run(one, {"PING"});
    stuck.join();
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, "POOL_EXHAUSTED");
    EXPECT_EQ(one.pipelines_sent(), 1u);  // the refused command was never sent
}

TEST(RedisPoolHangTest, TimeoutIsReportedAndTheConnectionIsNeverReused) {
    SilentServer hung;
    RedisOptions options = test_redis_options(1);
    options.port = hung.port();
    options.command_timeout = std::chrono::milliseconds{100};
    RedisPool quick(options);
    auto blocked = run(quick, {"PING"});
    ASSERT_FALSE(blocked.ok());
    EXPECT_EQ(blocked.error().code, "TIMEOUT") << blocked.error().message;
    EXPECT_EQ(quick.open_connections(), 0u);
    // The late reply of the first PING could answer the second one: a new connection is used.
    auto again = run(quick, {"PING"});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "TIMEOUT");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (hung.accepted() < 2 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    EXPECT_EQ(hung.accepted(), 2u);
}

TEST_F(RedisStoreTest, SendAnswersEveryCommandOnceWithoutWaiting) {
    constexpr int kCommands = 1000;
    const std::string key = prefix_ + "async";
    std::mutex mutex;
    std::condition_variable all_answered;
    int answered = 0, failed = 0;
    long long highest = 0;
    for (int i = 0; i < kCommands; ++i) {
        const std::string_view argv[] = {"INCR", key};
        ASSERT_TRUE(pool_
                        .send(argv,
                              [&](Result<RedisReply> reply) {
                                  std::lock_guard lock(mutex);
                                  if (reply.ok()) {
                                      highest = std::max<long long>(highest, reply->integer);
                                  } else {
                                      ++failed;
                                  }
                                  if (++answered == kCommands) all_answered.notify_one();
                              })
                        .ok());
    }
    std::unique_lock lock(mutex);
    ASSERT_TRUE(all_answered.wait_for(lock, std::chrono::seconds(10),
                                      [&] { return answered == kCommands; }));
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(highest, kCommands);
    const std::string_view blocking[] = {"BLPOP", key, "1"};
    EXPECT_EQ(pool_.send(blocking, [](Result<RedisReply>) {}).error().code, "INVALID_ARGUMENT");
}

TEST(RedisPoolHangTest, ShutdownAnswersEverySentCommand) {
    SilentServer hung;
    RedisOptions options = test_redis_options(1);
    options.port = hung.port();
    options.command_timeout = std::chrono::milliseconds{300};
    std::atomic<int> answered{0};
    {
        RedisPool one(options);
        for (int i = 0; i < 5; ++i) {
            const std::string_view argv[] = {"PING"};
            ASSERT_TRUE(one.send(argv,
                                 [&](Result<RedisReply> reply) {
                                     EXPECT_FALSE(reply.ok());
                                     ++answered;
                                 })
                            .ok());
        }
    }  // the lane's pipeline times out; whatever is still queued fails at shutdown
    EXPECT_EQ(answered.load(), 5);
}

TEST_F(RedisStoreTest, AsyncScriptsSurviveAFlushedScriptCache) {
    ScriptRegistry scripts(pool_);
    ASSERT_TRUE(scripts.register_script("echo_async", "return ARGV[1] .. KEYS[1]").ok());
    ASSERT_TRUE(run(pool_, {"SCRIPT", "FLUSH"}).ok());
    std::promise<Result<RedisReply>> answer;
    const std::string_view keys[] = {"k"};
    const std::string_view args[] = {"v"};
    ASSERT_TRUE(
        scripts
            .eval_async("echo_async", keys, args,
                        [&](Result<RedisReply> reply) { answer.set_value(std::move(reply)); })
            .ok());
    auto future = answer.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto reply = future.get();
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->str, "vk");
    EXPECT_EQ(scripts.eval_async("nope", {}, {}, [](Result<RedisReply>) {}).error().code,
              "NOT_FOUND");
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
