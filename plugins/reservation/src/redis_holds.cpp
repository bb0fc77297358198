#include "redis_holds.hpp"

#include <reservation/lua_sources.hpp>

namespace admit::reservation {

namespace {
constexpr int64_t idempotency_ttl_ms = 24LL * 3600 * 1000;

sdk::Error unexpected(std::string_view script, const sdk::RedisReply& reply) {
    return sdk::Error::internal(
        "unexpected reply of the " + std::string(script) + " script: " +
        (reply.is_error() ? reply.str : "type " + std::to_string(static_cast<int>(reply.type))));
}
}  // namespace

sdk::Status RedisHolds::register_scripts() {
    if (auto s = redis_.register_script("hold", lua::hold); !s) return s;
    if (auto s = redis_.register_script("release", lua::release); !s) return s;
    if (auto s = redis_.register_script("sell", lua::sell); !s) return s;
    return redis_.register_script("rebuild", lua::rebuild);
}

sdk::Result<HoldDecision> RedisHolds::hold(const HoldAttempt& attempt) {
    const bool seats = !attempt.seat_ids.empty();
    std::vector<std::string> keys{RedisKeys::epoch(),
                                  RedisKeys::marker(attempt.schedule_id),
                                  RedisKeys::fence(),
                                  RedisKeys::user(attempt.schedule_id, attempt.user_id),
                                  RedisKeys::idempotency(attempt.user_id, attempt.idempotency_key),
                                  RedisKeys::holds_made(attempt.schedule_id, attempt.user_id)};
    if (seats) {
        for (const auto& seat : attempt.seat_ids)
            keys.push_back(RedisKeys::seat(attempt.schedule_id, seat));
    } else {
        keys.push_back(RedisKeys::free_units(attempt.schedule_id, attempt.grade_id));
    }
    const std::vector<std::string> args{seats ? "SEATS" : "GA",
                                        attempt.reservation_id,
                                        std::to_string(attempt.quantity),
                                        std::to_string(attempt.max_per_user),
                                        std::to_string(attempt.hold_ttl_ms),
                                        attempt.idempotency_key.empty() ? "0" : "1",
                                        std::to_string(idempotency_ttl_ms),
                                        std::to_string(attempt.max_holds_in_window),
                                        std::to_string(attempt.hold_window_ms)};
    auto reply = redis_.eval("hold", keys, args);
    if (!reply) return std::move(reply).error();
    if (reply->type != sdk::RedisReply::Type::array || reply->elements.empty())
        return unexpected("hold", *reply);
    const auto& items = reply->elements;
    const std::string& verdict = items[0].str;
    HoldDecision decision;
    if (verdict == "OK" && items.size() >= 3) {
        decision.kind = HoldDecision::Kind::held;
        decision.fencing_token = (items[1].integer << 32) | (items[2].integer & 0xffffffffLL);
        for (std::size_t i = 3; i < items.size(); ++i) decision.units.push_back(items[i].str);
    } else if (verdict == "NO_EPOCH") {
        decision.kind = HoldDecision::Kind::no_epoch;
    } else if (verdict == "REBUILD") {
        decision.kind = HoldDecision::Kind::rebuild;
    } else if (verdict == "DUP" && items.size() >= 2) {
        decision.kind = HoldDecision::Kind::duplicate;
        decision.duplicate_of = items[1].str;
    } else if (verdict == "LIMIT" && items.size() >= 2) {
        decision.kind = HoldDecision::Kind::limit;
        decision.owned = items[1].integer;
    } else if (verdict == "HOARD" && items.size() >= 2) {
        decision.kind = HoldDecision::Kind::hoarding;
        decision.holds_made = items[1].integer;
    } else if (verdict == "TAKEN" && items.size() >= 2) {
        decision.kind = HoldDecision::Kind::taken;
        const auto index = items[1].integer - 1;
        if (index >= 0 && index < static_cast<int64_t>(attempt.seat_ids.size())) {
            decision.taken_seat = attempt.seat_ids[static_cast<std::size_t>(index)];
        }
    } else if (verdict == "SOLD_OUT") {
        decision.kind = HoldDecision::Kind::sold_out;
    } else {
        return unexpected("hold", *reply);
    }
    return decision;
}

sdk::Status RedisHolds::release(const HeldClaims& claims) {
    std::vector<std::string> keys{RedisKeys::user(claims.schedule_id, claims.user_id),
                                  RedisKeys::idempotency(claims.user_id, claims.idempotency_key),
                                  RedisKeys::marker(claims.schedule_id)};
    std::vector<std::string> args{claims.general_admission ? "GA" : "SEATS", claims.reservation_id,
                                  std::to_string(claims.quantity),
                                  claims.idempotency_key.empty() ? "0" : "1"};
    if (claims.general_admission) {
        keys.push_back(RedisKeys::free_units(claims.schedule_id, claims.grade_id));
        args.insert(args.end(), claims.claim_ids.begin(), claims.claim_ids.end());
    } else {
        for (const auto& seat : claims.claim_ids)
            keys.push_back(RedisKeys::seat(claims.schedule_id, seat));
    }
    auto reply = redis_.eval("release", keys, args);
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("release", *reply);
    return {};
}

sdk::Status RedisHolds::sell(const std::string& schedule_id, const std::string& reservation_id,
                             const std::vector<std::string>& seat_ids) {
    std::vector<std::string> keys{RedisKeys::marker(schedule_id)};
    for (const auto& seat : seat_ids) keys.push_back(RedisKeys::seat(schedule_id, seat));
    auto reply = redis_.eval("sell", keys, {reservation_id});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("sell", *reply);
    return {};
}

sdk::Status RedisHolds::forget_schedule(const std::string& schedule_id) {
    auto reply = redis_.command({"DEL", RedisKeys::marker(schedule_id)});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("DEL marker", *reply);
    return {};
}

sdk::Result<std::optional<int64_t>> RedisHolds::epoch() {
    auto reply = redis_.command({"GET", RedisKeys::epoch()});
    if (!reply) return std::move(reply).error();
    if (reply->is_nil()) return std::optional<int64_t>{};
    if (reply->type != sdk::RedisReply::Type::string) return unexpected("GET epoch", *reply);
    try {
        return std::optional<int64_t>(std::stoll(reply->str));
    } catch (const std::exception&) {
        return sdk::Error::internal("redis epoch is not a number: " + reply->str);
    }
}

sdk::Status RedisHolds::offer_epoch(int64_t epoch) {
    auto reply = redis_.command({"SET", RedisKeys::epoch(), std::to_string(epoch), "NX"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("SET epoch", *reply);
    return {};
}

sdk::Result<bool> RedisHolds::lock_rebuild(const std::string& schedule_id) {
    auto reply =
        redis_.command({"SET", RedisKeys::rebuild_lock(schedule_id), "1", "NX", "PX", "10000"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("SET rebuild lock", *reply);
    return !reply->is_nil();
}

void RedisHolds::unlock_rebuild(const std::string& schedule_id) {
    (void)redis_.command({"DEL", RedisKeys::rebuild_lock(schedule_id)});
}

sdk::Status RedisHolds::load_schedule(const std::string& schedule_id,
                                      const boost::json::object& state) {
    auto reply =
        redis_.eval("rebuild", {RedisKeys::marker(schedule_id)}, {boost::json::serialize(state)});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return unexpected("rebuild", *reply);
    return {};
}

sdk::Result<bool> RedisHolds::ready(const std::string& schedule_id) {
    auto reply = redis_.command({"EXISTS", RedisKeys::marker(schedule_id)});
    if (!reply) return std::move(reply).error();
    return reply->integer == 1;
}

}  // namespace admit::reservation
