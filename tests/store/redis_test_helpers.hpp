// Helpers shared by the Redis store tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/store/redis_pool.hpp"
#include "tests/support/test_servers.hpp"

namespace admit::store::testing {

inline RedisOptions test_redis_options(std::size_t pool_size = 4) {
    RedisOptions options;
    options.host = testsupport::test_servers().redis_host;
    options.port = testsupport::test_servers().redis_port;
    options.pool_size = pool_size;
    options.acquire_timeout = std::chrono::milliseconds{300};
    return options;
}

// Runs a command given as strings; for readable tests.
inline Result<RedisReply> run(RedisPool& pool, std::vector<std::string> argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    return pool.command(views);
}

}  // namespace admit::store::testing
