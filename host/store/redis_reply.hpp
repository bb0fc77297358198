// RedisReply: an owning copy of a Redis reply tree, safe to keep after the connection moves on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace admit::store {

struct RedisReply {
    enum class Type { Nil, String, Integer, Array, Error, Status };

    Type type = Type::Nil;
    std::string str;                   // String (binary-safe), Error and Status text
    std::int64_t integer = 0;          // Integer
    std::vector<RedisReply> elements;  // Array

    static RedisReply nil() { return {}; }
    static RedisReply from_hiredis(const redisReply& reply);

    bool is_error() const { return type == Type::Error; }
    // For Error replies: true when the message starts with `prefix` ("NOSCRIPT", "WRONGTYPE").
    bool error_starts_with(std::string_view prefix) const;
};

}  // namespace admit::store
