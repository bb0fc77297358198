// Redis through the host: binary-safe commands and named Lua scripts, replies as owned value trees.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace admit::sdk {

/// An owned copy of a Redis reply.
struct RedisReply {
    enum class Type {
        nil = ADMIT_REDIS_NIL,
        string = ADMIT_REDIS_STRING,
        integer = ADMIT_REDIS_INTEGER,
        array = ADMIT_REDIS_ARRAY,
        error = ADMIT_REDIS_ERROR
    };

    Type type = Type::nil;
    int64_t integer = 0;
    std::string str;  ///< string value, or the error text for Type::error
    std::vector<RedisReply> elements;

    bool is_nil() const noexcept { return type == Type::nil; }
    bool is_error() const noexcept { return type == Type::error; }

    static RedisReply copy(const admit_redis_reply& raw) {
        RedisReply out;
        out.type = static_cast<Type>(raw.type);
        out.integer = raw.integer;
        out.str = std::string(from_abi(raw.str));
        out.elements.reserve(raw.element_count);
        for (uint32_t i = 0; i < raw.element_count; ++i) {
            if (raw.elements[i] != nullptr)
                out.elements.push_back(copy(*raw.elements[i]));
            else
                out.elements.emplace_back();  // a missing element reads as nil
        }
        return out;
    }
};

namespace detail {
struct ReplyCollector {
    RedisReply reply;
    bool failed = false;
    static void on_reply(void* ctx, const admit_redis_reply* raw) noexcept {
        auto* self = static_cast<ReplyCollector*>(ctx);
        try {
            if (raw != nullptr) self->reply = RedisReply::copy(*raw);
        } catch (...) {
            self->failed = true;
        }
    }
};

inline std::vector<admit_str> to_abi_list(const std::vector<std::string>& items) {
    std::vector<admit_str> out;
    out.reserve(items.size());
    for (const auto& item : items) out.push_back(to_abi(item));
    return out;
}

inline Result<RedisReply> finish(admit_status status, ReplyCollector& collector,
                                 StringSink& error) {
    if (status != ADMIT_OK) return Status::from(status, error.take()).error();
    if (collector.failed) return Error::internal("out of memory while copying a redis reply");
    return std::move(collector.reply);
}
}  // namespace detail

/// Redis access of one plugin. A reply of Type::error is a successful call (the command ran).
class Redis {
  public:
    explicit Redis(HostHandle handle) noexcept : handle_(handle) {}

    /// e.g. redis.command({"SET", key, value, "NX", "PX", "30000"}); arguments are binary-safe.
    Result<RedisReply> command(const std::vector<std::string>& argv) {
        auto raw = detail::to_abi_list(argv);
        detail::ReplyCollector collector;
        StringSink error;
        const admit_status status =
            handle_.api->redis_command(handle_.host, raw.data(), static_cast<uint32_t>(raw.size()),
                                       &detail::ReplyCollector::on_reply, &collector, error.get());
        return detail::finish(status, collector, error);
    }

    /// Registers a Lua script under `name` (loaded once, called by SHA). [init]
    Status register_script(std::string_view name, std::string_view source) {
        admit_redis_script_desc desc{};
        desc.size = sizeof desc;
        desc.name = to_abi(name);
        desc.source = to_abi(source);
        StringSink error;
        return status_of(handle_.api->redis_script_register(handle_.host, &desc, error.get()),
                         error);
    }

    Result<RedisReply> eval(std::string_view name, const std::vector<std::string>& keys,
                            const std::vector<std::string>& args) {
        auto raw_keys = detail::to_abi_list(keys);
        auto raw_args = detail::to_abi_list(args);
        detail::ReplyCollector collector;
        StringSink error;
        const admit_status status = handle_.api->redis_script_eval(
            handle_.host, to_abi(name), raw_keys.data(), static_cast<uint32_t>(raw_keys.size()),
            raw_args.data(), static_cast<uint32_t>(raw_args.size()),
            &detail::ReplyCollector::on_reply, &collector, error.get());
        return detail::finish(status, collector, error);
    }

  private:
    HostHandle handle_;
};

}  // namespace admit::sdk
