// ScriptRegistry: named Lua scripts run by SHA (EVALSHA) over a RedisPool.
//
// Trap avoided: a call needs only the script's SHA, but eval() copied the whole registered
// script, source included (the reservation hold script is 2.5 kB), on every call: a large
// allocation, a copy and a free per hold, and glibc's malloc_consolidate showed in admitd's
// profile of the flash sale under that copy. A call now shares the script (shared_ptr) and reads
// its source only after NOSCRIPT.
//
// Thread-safety: every member is thread-safe. Registration normally happens at init, but may
// race with eval().
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>

#include "host/common/result.hpp"
#include "host/store/redis_pool.hpp"

namespace admit::store {

class ScriptRegistry {
  public:
    // The pool must outlive the registry.
    explicit ScriptRegistry(RedisPool& pool);

    // Registers `source` under `name` and loads it (SCRIPT LOAD). The SHA is computed locally,
    // so when Redis is unreachable the script is still registered (and loaded at first use).
    // Errors: "CONFLICT" when `name` is taken by a different source, "SCRIPT_INVALID" when
    // Redis refuses to compile it (the message carries Redis's error).
    Status register_script(const std::string& name, std::string source);

    // Runs the script by EVALSHA. When Redis answers NOSCRIPT (restart, SCRIPT FLUSH) the script
    // is loaded again and the call retried once. A script's own error is a reply of
    // Type::Error. Errors: "NOT_FOUND" (unknown name) and those of RedisPool::command.
    Result<RedisReply> eval(const std::string& name, std::span<const std::string_view> keys,
                            std::span<const std::string_view> args);

    // As eval(), without waiting: `done` runs on a Redis lane thread (see RedisPool::send). After
    // NOSCRIPT the call is sent again as EVAL with the source. Errors returned at once (`done`
    // not run): "NOT_FOUND" and those of RedisPool::send.
    Status eval_async(const std::string& name, std::span<const std::string_view> keys,
                      std::span<const std::string_view> args, RedisPool::Done done);

    // Hex SHA-1 of a registered script (empty when unknown).
    std::string sha_of(const std::string& name) const;

  private:
    struct Script {
        std::string source;
        std::string sha;
    };
    // The registered script of that name, shared (null when unknown).
    std::shared_ptr<const Script> find(std::string_view name) const;
    Status load(const std::string& name, const Script& script);

    RedisPool& pool_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Script>, std::less<>> scripts_;
};

}  // namespace admit::store
