#include "queue_redis.hpp"

#include "queue/lua_sources.hpp"

#include <algorithm>

namespace admit::queue {

namespace {

constexpr std::string_view unlock_script = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)lua";

constexpr std::size_t chunk = 1000;

sdk::Error reply_error(const sdk::RedisReply& reply, std::string_view what) {
    return sdk::Error::unavailable(std::string(what) + ": " + reply.str);
}

int64_t integer_of(const sdk::RedisReply& reply) {
    if (reply.type == sdk::RedisReply::Type::integer) return reply.integer;
    if (reply.type == sdk::RedisReply::Type::string) {
        try {
            return static_cast<int64_t>(std::stod(reply.str));
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

std::vector<std::string> keys_of(const std::string& schedule_id) {
    return {QueueRedis::key(schedule_id, "meta"), QueueRedis::key(schedule_id, "line"),
            QueueRedis::key(schedule_id, "seen"), QueueRedis::key(schedule_id, "active")};
}

sdk::Result<std::vector<std::string>> strings_of(sdk::Result<sdk::RedisReply> reply,
                                                 std::string_view what) {
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, what);
    std::vector<std::string> out;
    out.reserve(reply->elements.size());
    for (auto& element : reply->elements) out.push_back(std::move(element.str));
    return out;
}

}  // namespace

sdk::Status QueueRedis::register_scripts() {
    for (const auto& [name, source] :
         {std::pair{"place", lua::place}, std::pair{"leave", lua::leave},
          std::pair{"admit", lua::admit}, std::pair{"expire_stale", lua::expire_stale},
          std::pair{"shuffle", lua::shuffle}, std::pair{"post_update", lua::post_update},
          std::pair{"recent_updates", lua::recent_updates}}) {
        if (auto s = redis_.register_script(name, source); !s) return s;
    }
    return redis_.register_script("unlock", unlock_script);
}

sdk::Result<Place> QueueRedis::place(const std::string& schedule_id, const std::string& user,
                                     int64_t now_ms, PlaceMode mode, int64_t repair_score) {
    const char* mode_name = mode == PlaceMode::join     ? "join"
                            : mode == PlaceMode::status ? "status"
                                                        : "repair";
    auto reply =
        redis_.eval("place", keys_of(schedule_id),
                    {user, std::to_string(now_ms), mode_name, std::to_string(repair_score)});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "place script");
    const auto& e = reply->elements;
    if (e.size() < 10) return sdk::Error::internal("place script answered a short reply");
    Place place;
    place.state = e[0].str;
    place.rank = integer_of(e[1]);
    place.is_new = integer_of(e[2]) != 0;
    place.score = integer_of(e[3]);
    place.waiting = integer_of(e[4]);
    place.paused = integer_of(e[5]) != 0;
    place.admitted_total = integer_of(e[6]);
    place.active_expiry_ms = integer_of(e[7]);
    place.rate = integer_of(e[8]);
    place.seats_remaining = integer_of(e[9]);
    return place;
}

sdk::Result<std::pair<bool, bool>> QueueRedis::leave(const std::string& schedule_id,
                                                     const std::string& user) {
    auto reply = redis_.eval(
        "leave", {key(schedule_id, "line"), key(schedule_id, "seen"), key(schedule_id, "active")},
        {user});
    if (!reply) return std::move(reply).error();
    if (reply->is_error() || reply->elements.size() < 2) return reply_error(*reply, "leave");
    return std::make_pair(integer_of(reply->elements[0]) != 0, integer_of(reply->elements[1]) != 0);
}

sdk::Result<int64_t> QueueRedis::admit(const std::string& schedule_id,
                                       const std::vector<std::pair<std::string, int64_t>>& admitted,
                                       const std::vector<std::string>& gone) {
    std::vector<std::string> args{std::to_string(admitted.size())};
    for (const auto& [user, expiry] : admitted) {
        args.push_back(user);
        args.push_back(std::to_string(expiry));
    }
    args.insert(args.end(), gone.begin(), gone.end());
    auto reply = redis_.eval("admit", keys_of(schedule_id), args);
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "admit script");
    return integer_of(*reply);
}

sdk::Result<int64_t> QueueRedis::touch(const std::string& schedule_id,
                                       const std::vector<std::string>& users, int64_t now_ms) {
    const std::string seen = key(schedule_id, "seen");
    const std::string when = std::to_string(now_ms);
    int64_t touched = 0;
    for (std::size_t at = 0; at < users.size(); at += chunk) {
        std::vector<std::string> argv{"ZADD", seen, "XX", "CH"};
        for (std::size_t i = at; i < std::min(users.size(), at + chunk); ++i) {
            argv.push_back(when);
            argv.push_back(users[i]);
        }
        auto reply = redis_.command(argv);
        if (!reply) return std::move(reply).error();
        if (reply->is_error()) return reply_error(*reply, "ZADD XX");
        touched += integer_of(*reply);
    }
    return touched;
}

sdk::Result<std::vector<std::string>> QueueRedis::expire_stale(const std::string& schedule_id,
                                                               int64_t cutoff_ms, int64_t limit) {
    return strings_of(
        redis_.eval("expire_stale", {key(schedule_id, "line"), key(schedule_id, "seen")},
                    {std::to_string(cutoff_ms), std::to_string(limit)}),
        "expire_stale script");
}

sdk::Result<std::vector<std::string>> QueueRedis::close_prequeue(const std::string& schedule_id) {
    return strings_of(
        redis_.eval("shuffle", {key(schedule_id, "meta"), key(schedule_id, "line")}, {}),
        "shuffle script");
}

sdk::Status QueueRedis::zadd_chunks(const std::string& zset, const std::string& flag,
                                    const std::vector<std::pair<std::string, int64_t>>& members) {
    for (std::size_t at = 0; at < members.size(); at += chunk) {
        std::vector<std::string> argv{"ZADD", zset};
        if (!flag.empty()) argv.push_back(flag);
        for (std::size_t i = at; i < std::min(members.size(), at + chunk); ++i) {
            argv.push_back(std::to_string(members[i].second));
            argv.push_back(members[i].first);
        }
        auto reply = redis_.command(argv);
        if (!reply) return std::move(reply).error();
        if (reply->is_error()) return reply_error(*reply, "ZADD");
    }
    return {};
}

sdk::Status QueueRedis::set_scores(const std::string& schedule_id,
                                   const std::vector<std::pair<std::string, int64_t>>& scores) {
    if (auto s = zadd_chunks(key(schedule_id, "line"), "XX", scores); !s) return s;
    int64_t last = 0;
    for (const auto& [user, score] : scores) last = std::max(last, score);
    auto seq = redis_.command({"HGET", key(schedule_id, "meta"), "seq"});
    if (!seq) return std::move(seq).error();
    if (integer_of(*seq) < last) return set_meta(schedule_id, {{"seq", std::to_string(last)}});
    return {};
}

sdk::Result<bool> QueueRedis::has_meta(const std::string& schedule_id) {
    // The phase field, not the hash: a write that recreated part of the hash after a loss (an
    // operator's pause, a stream summary) must not pass for a rebuilt line.
    auto reply = redis_.command({"HEXISTS", key(schedule_id, "meta"), "phase"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "HEXISTS");
    return reply->integer != 0;
}

sdk::Status QueueRedis::set_meta(const std::string& schedule_id,
                                 const std::vector<std::pair<std::string, std::string>>& fields) {
    if (fields.empty()) return {};
    std::vector<std::string> argv{"HSET", key(schedule_id, "meta")};
    for (const auto& [name, value] : fields) {
        argv.push_back(name);
        argv.push_back(value);
    }
    auto reply = redis_.command(argv);
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "HSET");
    return {};
}

sdk::Result<int64_t> QueueRedis::active_count(const std::string& schedule_id, int64_t now_ms) {
    auto dropped = redis_.command(
        {"ZREMRANGEBYSCORE", key(schedule_id, "active"), "-inf", std::to_string(now_ms)});
    if (!dropped) return std::move(dropped).error();
    auto reply = redis_.command({"ZCARD", key(schedule_id, "active")});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "ZCARD");
    return reply->integer;
}

sdk::Result<int64_t> QueueRedis::waiting_count(const std::string& schedule_id) {
    auto reply = redis_.command({"ZCARD", key(schedule_id, "line")});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "ZCARD");
    return reply->integer;
}

sdk::Result<std::vector<std::string>> QueueRedis::head(const std::string& schedule_id,
                                                       int64_t count) {
    if (count <= 0) return std::vector<std::string>{};
    return strings_of(
        redis_.command({"ZRANGE", key(schedule_id, "line"), "0", std::to_string(count - 1)}),
        "ZRANGE");
}

sdk::Result<bool> QueueRedis::try_lock(const std::string& lock_key, const std::string& owner,
                                       int64_t ttl_ms) {
    auto reply = redis_.command(
        {"SET", lock_key, owner, "NX", "PX", std::to_string(std::max<int64_t>(1, ttl_ms))});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "SET NX");
    return reply->type == sdk::RedisReply::Type::string;  // "OK"; nil when taken
}

sdk::Status QueueRedis::unlock(const std::string& lock_key, const std::string& owner) {
    auto reply = redis_.eval("unlock", {lock_key}, {owner});
    if (!reply) return std::move(reply).error();
    return {};
}

sdk::Status QueueRedis::rebuild(const std::string& schedule_id,
                                const std::vector<std::pair<std::string, int64_t>>& waiting,
                                const std::vector<std::pair<std::string, int64_t>>& active,
                                int64_t now_ms,
                                const std::vector<std::pair<std::string, std::string>>& meta) {
    if (auto s = clear(schedule_id); !s) return s;
    if (auto s = zadd_chunks(key(schedule_id, "line"), "", waiting); !s) return s;
    std::vector<std::pair<std::string, int64_t>> seen;
    seen.reserve(waiting.size());
    for (const auto& [user, score] : waiting) seen.emplace_back(user, now_ms);
    if (auto s = zadd_chunks(key(schedule_id, "seen"), "", seen); !s) return s;
    if (auto s = zadd_chunks(key(schedule_id, "active"), "", active); !s) return s;
    return set_meta(schedule_id, meta);
}

sdk::Status QueueRedis::clear(const std::string& schedule_id) {
    auto reply = redis_.command(
        {"DEL", key(schedule_id, "line"), key(schedule_id, "seen"), key(schedule_id, "active")});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "DEL");
    return {};
}

sdk::Status QueueRedis::clear_line(const std::string& schedule_id) {
    auto reply = redis_.command({"DEL", key(schedule_id, "line"), key(schedule_id, "seen")});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "DEL");
    return {};
}

sdk::Result<int64_t> QueueRedis::admitted_total(const std::string& schedule_id) {
    auto reply = redis_.command({"HGET", key(schedule_id, "meta"), "admitted"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "HGET");
    return integer_of(*reply);
}

sdk::Result<int64_t> QueueRedis::post_update(const std::string& schedule_id,
                                             const std::string& summary, int64_t keep) {
    // The script reopens the object to add the version after a comma: it must have a member.
    if (summary.size() < 3 || summary.front() != '{' || summary.back() != '}')
        return sdk::Error::internal("a stream summary must be a JSON object with members");
    auto reply = redis_.eval(
        "post_update",
        {key(schedule_id, "meta"), key(schedule_id, "update"), key(schedule_id, "updates")},
        {summary.substr(0, summary.size() - 1), std::to_string(keep), "3600"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return reply_error(*reply, "post_update script");
    return integer_of(*reply);
}

sdk::Result<std::vector<std::string>> QueueRedis::recent_updates(const std::string& schedule_id,
                                                                 std::optional<int64_t> sent,
                                                                 std::size_t first_sight) {
    return strings_of(
        redis_.eval("recent_updates", {key(schedule_id, "meta"), key(schedule_id, "updates")},
                    {std::to_string(sent ? std::max<int64_t>(*sent, 0) : -1),
                     std::to_string(std::max<std::size_t>(first_sight, 1))}),
        "recent_updates script");
}

}  // namespace admit::queue
