#include "admin_controls.hpp"

#include "place_service.hpp"
#include "poll_interval.hpp"

#include <admit/sdk/time_text.hpp>

#include <cmath>

namespace admit::queue {

using sdk::Response;

std::variant<Control, Response> AdminControls::control_of(const sdk::Request& request) {
    const std::string sid(request.param("scheduleId"));
    if (sid.empty() || sid.size() > 100)
        return Response::invalid_request("path parameter 'scheduleId' is invalid");
    auto control = keeper_.load(sid);
    if (!control) return Response::from_error(control.error());
    if (!*control) return Response::error(404, "NOT_FOUND", "no waiting room for " + sid);
    return **control;
}

Response AdminControls::overview(const sdk::Request& request) {
    auto found = control_of(request);
    if (auto* response = std::get_if<Response>(&found)) return std::move(*response);
    const Control& c = std::get<Control>(found);
    const std::string& sid = c.schedule_id;
    auto present = ctx_.redis->has_meta(sid);
    if (!present) return Response::from_error(present.error());
    if (!*present && c.phase != "SOLD_OUT") return recovering_response(request.trace_id());
    auto waiting = ctx_.redis->waiting_count(sid);
    auto active = ctx_.redis->active_count(sid, ctx_.now_ms());
    if (!waiting || !active)
        return Response::from_error(!waiting ? waiting.error() : active.error());
    auto recent = ctx_.host->db().exec(
        "SELECT count(*) AS n FROM queue.admissions WHERE schedule_id = $1 AND admitted_at > "
        "timestamptz 'epoch' + $2::bigint * interval '1 microsecond'",
        sid, ctx_.host->now_us() - 10000000);
    if (!recent) return Response::from_error(recent.error());
    auto stock = tick_.inventory(sid, 300);
    if (!stock) return Response::from_error(stock.error());
    const double per_second = static_cast<double>(recent->front().int64("n").value_or(0)) / 10.0;
    boost::json::object eta;
    for (const auto& [name, share] :
         {std::pair{"p50", 0.5}, std::pair{"p90", 0.9}, std::pair{"p99", 0.99}}) {
        const auto position =
            static_cast<int64_t>(std::ceil(static_cast<double>(*waiting) * share));
        const int64_t seconds = eta_seconds(position, per_second);
        eta[name] = seconds >= 0 ? boost::json::value(seconds) : nullptr;
    }
    boost::json::object body{
        {"scheduleId", sid},
        {"phase", c.phase},
        {"paused", c.paused},
        {"rateOverride", c.rate_override ? boost::json::value(*c.rate_override) : nullptr},
        {"waiting", *waiting},
        {"active", *active},
        {"admittedTotal", stock->admitted},
        {"admittedPerSecond", per_second},
        {"etaSeconds", std::move(eta)},
        {"held", stock->held},
        {"sold", stock->sold},
        {"admitFence", c.admit_fence},
        {"fairness",
         {{"commitment", c.commitment},
          {"shuffledAt",
           c.shuffled_us ? boost::json::value(sdk::format_rfc3339(*c.shuffled_us)) : nullptr}}}};
    if (auto facts = ctx_.facts->get(sid); facts) {
        body["capacity"] = (*facts)->capacity;
        body["seatsRemaining"] =
            std::max<int64_t>(0, (*facts)->capacity - stock->held - stock->sold);
    }
    return Response::json(200, body);
}

Response AdminControls::set_paused(const sdk::Request& request, bool paused) {
    auto found = control_of(request);
    if (auto* response = std::get_if<Response>(&found)) return std::move(*response);
    const std::string sid = std::get<Control>(found).schedule_id;
    const std::string actor(request.principal().subject());
    auto written = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE queue.schedules SET paused = $2, updated_at = now() WHERE schedule_id = $1",
            sid, paused);
        if (!rows) return std::move(rows).error();
        return tx.publish("queue.paused", sid, {{"scheduleId", sid}, {"paused", paused}}, actor);
    });
    if (!written) return Response::from_error(written.error());
    (void)ctx_.redis->set_meta(sid, {{"paused", paused ? "1" : "0"}});
    tick_.publish(sid, {{"status", paused ? "PAUSED" : "OPEN"}});
    return Response::json(200, {{"scheduleId", sid}, {"paused", paused}});
}

Response AdminControls::rate(const sdk::Request& request) {
    auto found = control_of(request);
    if (auto* response = std::get_if<Response>(&found)) return std::move(*response);
    const std::string sid = std::get<Control>(found).schedule_id;
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    const auto* value = body->if_contains("admitPerSecond");
    std::optional<int64_t> rate;
    if (value == nullptr)
        return Response::invalid_request("field 'admitPerSecond' is required (an integer or null)");
    if (!value->is_null()) {
        if (!value->is_int64() || value->as_int64() < 0 || value->as_int64() > 100000)
            return Response::invalid_request(
                "field 'admitPerSecond' must be an integer from 0 to 100000, or null");
        rate = value->as_int64();
    }
    const std::string actor(request.principal().subject());
    auto written = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE queue.schedules SET rate_override = $2, updated_at = now() WHERE schedule_id "
            "= $1",
            sid, rate);
        if (!rows) return std::move(rows).error();
        return tx.publish(
            "queue.rate_changed", sid,
            {{"scheduleId", sid},
             {"admitPerSecond", rate ? boost::json::value(*rate) : boost::json::value(nullptr)}},
            actor);
    });
    if (!written) return Response::from_error(written.error());
    return Response::json(
        200, {{"scheduleId", sid},
              {"rateOverride", rate ? boost::json::value(*rate) : boost::json::value(nullptr)}});
}

Response AdminControls::clear(const sdk::Request& request) {
    auto found = control_of(request);
    if (auto* response = std::get_if<Response>(&found)) return std::move(*response);
    const std::string sid = std::get<Control>(found).schedule_id;
    const std::string actor(request.principal().subject());
    int64_t cleared = 0;
    int64_t revoked = 0;
    auto written = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto denied = tx.exec(
            "WITH d AS (INSERT INTO queue.denied (join_id, schedule_id, expires_at) SELECT "
            "join_id, schedule_id, token_expires_at FROM queue.joins WHERE schedule_id = $1 AND "
            "state = 'ADMITTED' AND token_expires_at > now() ON CONFLICT DO NOTHING RETURNING 1) "
            "SELECT count(*) AS n FROM d",
            sid);
        if (!denied) return std::move(denied).error();
        revoked = denied->front().int64("n").value_or(0);
        auto left = tx.exec(
            "WITH l AS (UPDATE queue.joins SET state = 'LEFT', updated_at = now() WHERE "
            "schedule_id = $1 AND (state = 'WAITING' OR (state = 'ADMITTED' AND token_expires_at "
            "> now())) RETURNING 1) SELECT count(*) AS n FROM l",
            sid);
        if (!left) return std::move(left).error();
        cleared = left->front().int64("n").value_or(0);
        return tx.publish("queue.cleared", sid,
                          {{"scheduleId", sid}, {"cleared", cleared}, {"tokensRevoked", revoked}},
                          actor);
    });
    if (!written) return Response::from_error(written.error());
    if (auto s = ctx_.redis->clear(sid); !s) return Response::from_error(s.error());
    (void)ctx_.deny->reload();
    tick_.publish(sid, {{"status", "CLEARED"}});
    return Response::json(200,
                          {{"scheduleId", sid}, {"cleared", cleared}, {"tokensRevoked", revoked}});
}

}  // namespace admit::queue
