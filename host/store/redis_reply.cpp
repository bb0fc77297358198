#include "host/store/redis_reply.hpp"

#include <hiredis.h>

namespace admit::store {

RedisReply RedisReply::from_hiredis(const redisReply& reply) {
    RedisReply out;
    switch (reply.type) {
        case REDIS_REPLY_STRING:
            out.type = Type::String;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = Type::Status;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = Type::Error;
            out.str.assign(reply.str, reply.len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = Type::Integer;
            out.integer = reply.integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = Type::Array;
            out.elements.reserve(reply.elements);
            for (std::size_t i = 0; i < reply.elements; ++i)
                out.elements.push_back(from_hiredis(*reply.element[i]));
            break;
        default:
            out.type = Type::Nil;
            break;
    }
    return out;
}

bool RedisReply::error_starts_with(std::string_view prefix) const {
    return type == Type::Error && std::string_view(str).substr(0, prefix.size()) == prefix;
}

}  // namespace admit::store
