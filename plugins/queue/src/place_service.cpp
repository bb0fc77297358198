#include "place_service.hpp"

#include "poll_interval.hpp"

#include <admit/sdk/time_text.hpp>

#include <sodium.h>

#include <algorithm>

namespace admit::queue {

using sdk::Response;

namespace {

double jitter() { return static_cast<double>(randombytes_uniform(1000000)) / 1000000.0; }

bool valid_schedule_id(std::string_view id) {
    if (id.empty() || id.size() > 100) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

}  // namespace

Response retry_later(std::string code, std::string message, std::string_view trace_id,
                     int seconds) {
    return Response::json(
               503,
               {{"code", std::move(code)}, {"message", std::move(message)}, {"traceId", trace_id}})
        .header("Retry-After", std::to_string(seconds));
}

Response recovering_response(std::string_view trace_id) {
    return retry_later("QUEUE_RECOVERING",
                       "the waiting room is being restored; your place is kept, retry shortly",
                       trace_id, 2);
}

boost::json::object PlaceService::body_of(const std::string& schedule_id, const std::string& user,
                                          const Place& place, const Control& control) {
    boost::json::object body;
    const std::string join_id = join_id_for(ctx_.key, schedule_id, user);
    body["scheduleId"] = schedule_id;
    body["joinId"] = join_id;
    body["waiting"] = place.waiting;
    body["admittedTotal"] = place.admitted_total;
    body["seatsRemaining"] =
        place.seats_remaining >= 0 ? boost::json::value(place.seats_remaining) : nullptr;
    if (place.state == "ADMITTED") {
        const int64_t expires_s = place.active_expiry_ms / 1000;
        body["status"] = "ADMITTED";
        body["position"] = 0;
        body["aheadOf"] = 0;
        body["etaSeconds"] = 0;
        body["pollAfterMs"] = 30000;
        body["entryToken"] = sign_entry_token(ctx_.key, {schedule_id, user, join_id, expires_s});
        body["entryExpiresAt"] = sdk::format_rfc3339(expires_s * 1000000);
        return body;
    }
    if (place.state == "SOLD_OUT") {
        body["status"] = "SOLD_OUT";
        body["position"] = nullptr;
        body["aheadOf"] = nullptr;
        body["etaSeconds"] = nullptr;
        body["pollAfterMs"] = 30000;
        body["seatsRemaining"] = 0;
        return body;
    }
    if (place.state == "PREQUEUE") {
        // No order exists before the shuffle: the ETA is the time to the sale start.
        const int64_t until_start =
            control.sale_starts_us
                ? std::max<int64_t>(0, (*control.sale_starts_us - ctx_.host->now_us()) / 1000000)
                : 0;
        body["status"] = "PREQUEUE";
        body["position"] = nullptr;
        body["aheadOf"] = nullptr;
        body["etaSeconds"] = until_start;
        body["pollAfterMs"] = std::clamp<int64_t>(
            until_start * 1000, 1000, poll_after_ms(std::max<int64_t>(1, place.waiting), jitter()));
        body["saleStartsAt"] =
            control.sale_starts_us
                ? boost::json::value(sdk::format_rfc3339(*control.sale_starts_us))
                : nullptr;
        return body;
    }
    const int64_t position = place.rank + 1;
    body["status"] = place.paused ? "PAUSED" : "WAITING";
    body["position"] = position;
    body["aheadOf"] = place.rank;
    const int64_t eta = place.paused ? -1 : eta_seconds(position, static_cast<double>(place.rate));
    body["etaSeconds"] = eta >= 0 ? boost::json::value(eta) : nullptr;
    body["pollAfterMs"] = poll_after_ms(position, jitter());
    return body;
}

sdk::Result<std::optional<Place>> PlaceService::repair(const std::string& schedule_id,
                                                       const std::string& user) {
    auto rows = ctx_.host->db().exec(
        "SELECT state, prequeue, seq, floor(extract(epoch FROM token_expires_at) * 1000)::bigint "
        "AS "
        "expiry_ms FROM queue.joins WHERE schedule_id = $1 AND user_id = $2",
        schedule_id, user);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Place>{};
    const auto& row = rows->front();
    const std::string state = row.text("state");
    if (state == "ADMITTED") {
        const int64_t expiry = row.int64("expiry_ms").value_or(0);
        if (expiry <= ctx_.now_ms()) return std::optional<Place>{};
        auto admitted = ctx_.redis->admit(schedule_id, {{user, expiry}}, {});
        if (!admitted) return std::move(admitted).error();
    } else if (state != "WAITING" || row.text("prequeue") == "t") {
        // A pre-queue place without its shuffle rank cannot be repaired one by one; the rebuild
        // after the start puts it back. LEFT / EXPIRED / SOLD_OUT: no place.
        return std::optional<Place>{};
    }
    auto place = ctx_.redis->place(schedule_id, user, ctx_.now_ms(),
                                   state == "WAITING" ? PlaceMode::repair : PlaceMode::status,
                                   row.int64("seq").value_or(0));
    if (!place) return std::move(place).error();
    return std::optional<Place>{std::move(*place)};
}

PlaceService::Answer PlaceService::place(const sdk::Request& request, PlaceMode mode) {
    const std::string schedule_id(request.param("scheduleId"));
    const std::string user(request.principal().subject());
    Answer answer;
    answer.status = 0;
    if (!valid_schedule_id(schedule_id)) {
        answer.error = Response::invalid_request("path parameter 'scheduleId' is invalid");
        return answer;
    }
    auto facts = ctx_.facts->get(schedule_id);
    if (!facts) {
        answer.error = facts.error().is_not_found()
                           ? Response::error(404, "NOT_FOUND", "no schedule " + schedule_id)
                           : Response::from_error(facts.error());
        return answer;
    }
    // An unpublished product's schedule has no waiting room for buyers (nobody lines up for a
    // sale that is not announced); the product plugin answers 404 for it likewise.
    if (!(*facts)->published() && (*facts)->seller_id != user &&
        !request.principal().has_role("admin")) {
        answer.error = Response::error(404, "NOT_FOUND", "no schedule " + schedule_id);
        return answer;
    }
    sdk::Result<Control> control = sdk::Error::internal("unset");
    if (mode == PlaceMode::join) {
        control = keeper_.open(**facts);
    } else {
        auto loaded = keeper_.recent(schedule_id);
        if (!loaded) {
            control = std::move(loaded).error();
        } else if (!*loaded) {
            answer.error = Response::error(404, "NOT_FOUND", "you are not in this queue");
            return answer;
        } else {
            control = **loaded;
        }
    }
    if (!control) {
        answer.error = Response::from_error(control.error());
        return answer;
    }
    // The place script answers RECOVERING when the line is missing (Redis lost it, or the room
    // just opened): only then is the line (re)built and the place asked again, so the common
    // case costs one Redis round trip.
    auto place = ctx_.redis->place(schedule_id, user, ctx_.now_ms(), mode);
    if (place && place->state == "RECOVERING") {
        if (auto ready = keeper_.ensure_line(*control); !ready) {
            answer.error = ready.error().status == ADMIT_E_UNAVAILABLE
                               ? recovering_response(request.trace_id())
                               : Response::from_error(ready.error());
            return answer;
        }
        place = ctx_.redis->place(schedule_id, user, ctx_.now_ms(), mode);
    }
    if (!place) {
        answer.error = Response::from_error(place.error());
        return answer;
    }
    if (place->state == "RECOVERING") {
        answer.error = recovering_response(request.trace_id());  // lost again since the rebuild
        return answer;
    }
    if (place->state == "ABSENT") {
        auto repaired = repair(schedule_id, user);
        if (!repaired) {
            answer.error = Response::from_error(repaired.error());
            return answer;
        }
        if (!*repaired) {
            answer.error = Response::error(404, "NOT_FOUND", "you are not in this queue");
            return answer;
        }
        *place = std::move(**repaired);
    }
    if (place->is_new && mode == PlaceMode::join) {
        JoinRecord record{schedule_id,
                          user,
                          join_id_for(ctx_.key, schedule_id, user),
                          place->state == "PREQUEUE",
                          place->state == "PREQUEUE" ? 0 : place->score,
                          ctx_.host->now_us()};
        auto written = ctx_.joins->submit(std::move(record));
        const bool ok =
            written.wait_for(std::chrono::milliseconds(ctx_.settings.join_timeout_ms)) ==
                std::future_status::ready &&
            written.get();
        if (!ok) {
            // Not durable: take the place back so Redis never holds what the log does not.
            (void)ctx_.redis->leave(schedule_id, user);
            answer.error = retry_later("DEPENDENCY_UNAVAILABLE",
                                       "the waiting room could not record your place; retry",
                                       request.trace_id(), 1);
            return answer;
        }
        answer.status = 201;
    } else {
        answer.status = 200;
    }
    answer.body = body_of(schedule_id, user, *place, *control);
    return answer;
}

Response PlaceService::join(const sdk::Request& request) {
    auto answer = place(request, PlaceMode::join);
    if (answer.status == 0) return std::move(answer.error);
    return Response::json(answer.status, answer.body);
}

Response PlaceService::status(const sdk::Request& request) {
    auto answer = place(request, PlaceMode::status);
    if (answer.status == 0) return std::move(answer.error);
    return Response::json(200, answer.body);
}

sdk::Result<std::optional<boost::json::value>> PlaceService::open_stream(
    const sdk::Request& request) {
    auto answer = place(request, PlaceMode::status);
    if (answer.status == 0) {
        if (answer.error.status == 404) return sdk::Error::not_found("you are not in this queue");
        return sdk::Error::unavailable("the waiting room is unavailable");
    }
    return std::optional<boost::json::value>(boost::json::value(std::move(answer.body)));
}

Response PlaceService::leave(const sdk::Request& request) {
    const std::string schedule_id(request.param("scheduleId"));
    const std::string user(request.principal().subject());
    if (!valid_schedule_id(schedule_id))
        return Response::invalid_request("path parameter 'scheduleId' is invalid");
    auto removed = ctx_.redis->leave(schedule_id, user);
    if (!removed) return Response::from_error(removed.error());
    std::string revoked;
    int64_t revoked_expiry = 0;
    bool found = false;
    auto written = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        revoked.clear();
        found = false;
        auto rows = tx.exec(
            "UPDATE queue.joins j SET state = 'LEFT', updated_at = now() FROM (SELECT state, "
            "token_expires_at FROM queue.joins WHERE schedule_id = $1 AND user_id = $2 FOR UPDATE) "
            "old WHERE j.schedule_id = $1 AND j.user_id = $2 AND (old.state = 'WAITING' OR "
            "(old.state = 'ADMITTED' AND old.token_expires_at > now())) "
            "RETURNING j.join_id, old.state AS before, old.token_expires_at, "
            "floor(extract(epoch FROM old.token_expires_at))::bigint AS expires_s",
            schedule_id, user);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return {};
        found = true;
        const auto& row = rows->front();
        const std::string join_id = row.text("join_id");
        const std::string before = row.text("before");
        if (before == "ADMITTED") {
            // The entry token must stop working now, not at its expiry.
            auto denied = tx.exec(
                "INSERT INTO queue.denied (join_id, schedule_id, expires_at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                join_id, schedule_id, row.text("token_expires_at"));
            if (!denied) return std::move(denied).error();
            revoked = join_id;
            revoked_expiry = row.int64("expires_s").value_or(0);
        }
        return tx.publish("queue.left", schedule_id,
                          {{"scheduleId", schedule_id},
                           {"userId", user},
                           {"joinId", join_id},
                           {"before", before}},
                          user);
    });
    if (!written) return Response::from_error(written.error());
    if (!revoked.empty()) ctx_.deny->add(revoked, revoked_expiry);
    if (!found && !removed->first && !removed->second)
        return Response::error(404, "NOT_FOUND", "you are not in this queue");
    return Response::no_content();
}

Response PlaceService::fairness(const sdk::Request& request) {
    const std::string schedule_id(request.param("scheduleId"));
    if (!valid_schedule_id(schedule_id))
        return Response::invalid_request("path parameter 'scheduleId' is invalid");
    auto control = keeper_.load(schedule_id);
    if (!control) return Response::from_error(control.error());
    if (!*control) return Response::error(404, "NOT_FOUND", "no waiting room for " + schedule_id);
    const Control& c = **control;
    boost::json::object body{
        {"scheduleId", schedule_id},
        {"phase", c.phase},
        {"commitment", c.commitment},
        {"algorithm",
         "commitment = hex(SHA-256(seed)); pre-queue order = join ids sorted by "
         "hex(HMAC-SHA256(key=seed, message=joinId)) ascending; later joins FIFO behind"}};
    if (!c.shuffled_us) {
        body["seed"] = nullptr;
        body["joinIds"] = nullptr;
        return Response::json(200, body);
    }
    body["seed"] = to_hex(reinterpret_cast<const unsigned char*>(c.seed.data()), c.seed.size());
    body["shuffledAt"] = sdk::format_rfc3339(*c.shuffled_us);
    auto rows = ctx_.host->db().exec(
        "SELECT join_id FROM queue.joins WHERE schedule_id = $1 AND prequeue ORDER BY join_id",
        schedule_id);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array ids;
    ids.reserve(rows->size());
    for (const auto& row : *rows) ids.emplace_back(row.text("join_id"));
    body["joinIds"] = std::move(ids);
    return Response::json(200, body);
}

sdk::Result<boost::json::value> PlaceService::check_entry(const boost::json::value& input) {
    if (!input.is_object()) return sdk::Error::invalid("input must be an object");
    const auto& o = input.as_object();
    auto schedule_id = sdk::fields::required_string(o, "scheduleId");
    if (!schedule_id) return std::move(schedule_id).error();
    auto user = sdk::fields::required_string(o, "userId");
    if (!user) return std::move(user).error();
    auto token = sdk::fields::optional_string(o, "token");
    if (!token) return std::move(token).error();
    auto facts = ctx_.facts->get(*schedule_id);
    if (!facts) {
        // An unknown schedule is the reservation's 404 to give; nothing to require here.
        if (facts.error().is_not_found())
            return boost::json::value{{"required", false}, {"valid", true}};
        return std::move(facts).error();
    }
    if (!(*facts)->queue_required) return boost::json::value{{"required", false}, {"valid", true}};
    if (!*token || (*token)->empty())
        return boost::json::value{{"required", true}, {"valid", false}, {"reason", "missing"}};
    EntryClaims claims;
    const auto verdict = verify_entry_token(ctx_.key, **token, *schedule_id, *user,
                                            ctx_.host->now_us() / 1000000, &claims);
    if (verdict != EntryVerdict::valid)
        return boost::json::value{
            {"required", true}, {"valid", false}, {"reason", verdict_name(verdict)}};
    if (ctx_.deny->denied(claims.join_id, claims.expires_at))
        return boost::json::value{{"required", true}, {"valid", false}, {"reason", "revoked"}};
    return boost::json::value{
        {"required", true}, {"valid", true}, {"expiresAt", claims.expires_at}};
}

}  // namespace admit::queue
