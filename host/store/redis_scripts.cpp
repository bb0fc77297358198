#include "host/store/redis_scripts.hpp"

#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

namespace admit::store {
namespace {

std::string sha1_hex(const std::string& text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    std::string hex;
    hex.reserve(2 * SHA_DIGEST_LENGTH);
    for (unsigned char byte : digest) hex += fmt::format("{:02x}", byte);
    return hex;
}

}  // namespace

ScriptRegistry::ScriptRegistry(RedisPool& pool) : pool_(pool) {}

Status ScriptRegistry::load(const std::string& name, const Script& script) {
    const std::string_view argv[] = {"SCRIPT", "LOAD", script.source};
    auto reply = pool_.command(argv);
    if (!reply) return reply.error();
    if (reply->is_error()) {
        return Error{ErrorCode::SCRIPT_INVALID,
                     fmt::format("Redis script '{}' does not load: {}", name, reply->str)};
    }
    return {};
}

Status ScriptRegistry::register_script(const std::string& name, std::string source) {
    auto script = std::make_shared<Script>(Script{std::move(source), {}});
    script->sha = sha1_hex(script->source);
    if (auto known = find(name)) {
        if (known->sha == script->sha) return {};
        return Error{
            ErrorCode::CONFLICT,
            fmt::format("Redis script '{}' is already registered with another source", name)};
    }
    Status loaded = load(name, *script);
    if (!loaded) {
        if (loaded.error().code == ErrorCode::SCRIPT_INVALID) return loaded;
        spdlog::warn("Redis script '{}' registered but not loaded yet: {}", name,
                     loaded.error().message);
    }
    std::unique_lock lock(mutex_);
    scripts_.emplace(name, std::move(script));
    return {};
}

std::shared_ptr<const ScriptRegistry::Script> ScriptRegistry::find(std::string_view name) const {
    std::shared_lock lock(mutex_);
    auto found = scripts_.find(name);
    return found == scripts_.end() ? nullptr : found->second;
}

std::string ScriptRegistry::sha_of(const std::string& name) const {
    auto script = find(name);
    return script ? script->sha : std::string();
}

Result<RedisReply> ScriptRegistry::eval(const std::string& name,
                                        std::span<const std::string_view> keys,
                                        std::span<const std::string_view> args) {
    const auto script = find(name);
    if (!script)
        return Error{ErrorCode::NOT_FOUND, fmt::format("no Redis script named '{}'", name)};
    const std::string key_count = std::to_string(keys.size());
    std::vector<std::string_view> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.push_back("EVALSHA");
    argv.push_back(script->sha);
    argv.push_back(key_count);
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());

    auto reply = pool_.command(argv);
    if (!reply || !reply->error_starts_with("NOSCRIPT")) return reply;
    spdlog::info("Redis script '{}' missing on the server; loading it again", name);
    if (Status loaded = load(name, *script); !loaded) return loaded.error();
    return pool_.command(argv);
}

}  // namespace admit::store

namespace admit::store {

Status ScriptRegistry::eval_async(const std::string& name, std::span<const std::string_view> keys,
                                  std::span<const std::string_view> args, RedisPool::Done done) {
    auto script = find(name);
    if (!script)
        return Error{ErrorCode::NOT_FOUND, fmt::format("no Redis script named '{}'", name)};
    // argv as for EVALSHA; after NOSCRIPT the same call goes again as EVAL with the source, which
    // also puts the script back into Redis's cache.
    auto argv = std::make_shared<std::vector<std::string>>();
    argv->reserve(3 + keys.size() + args.size());
    argv->push_back("EVALSHA");
    argv->push_back(script->sha);
    argv->push_back(std::to_string(keys.size()));
    argv->insert(argv->end(), keys.begin(), keys.end());
    argv->insert(argv->end(), args.begin(), args.end());
    const std::vector<std::string_view> views(argv->begin(), argv->end());
    RedisPool& pool = pool_;
    return pool_.send(views, [&pool, argv, script = std::move(script),
                              done = std::move(done)](Result<RedisReply> reply) mutable {
        if (!reply || !reply->error_starts_with("NOSCRIPT")) {
            done(std::move(reply));
            return;
        }
        (*argv)[0] = "EVAL";
        (*argv)[1] = script->source;
        const std::vector<std::string_view> again(argv->begin(), argv->end());
        if (Status sent = pool.send(again, done); !sent) done(sent.error());
    });
}

}  // namespace admit::store
