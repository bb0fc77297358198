#include "toss_routes.hpp"

#include <boost/json.hpp>

#include "form_codec.hpp"
#include "payment_json.hpp"
#include "reply.hpp"
#include "request_json.hpp"
#include "simulator.hpp"

namespace admit::paysim {
namespace json = boost::json;

namespace {

constexpr std::string_view kPayments = "/v1/payments/";

SimReply outcome_reply(const Outcome& o) {
    if (o.payment) return json_reply(o.http_status, json::serialize(toss_payment_json(*o.payment)));
    return error_reply(o.http_status, o.code, o.message);
}

SimReply invalid(Simulator& sim, const std::string& message) {
    bump(sim.stats().bad_requests);
    return error_reply(400, "INVALID_REQUEST", message);
}

// Runs `effect` under the request's Idempotency-Key (if any): a replay answers the first
// response, a key still in flight answers 409. The chaos knobs (latency, timeout) apply to the
// reply either way.
template <typename Effect>
SimReply idempotent(Simulator& sim, const SimRequest& req, bool& replayed, Effect effect) {
    replayed = false;
    if (req.idempotency_key.empty()) return effect();
    if (!valid_token(req.idempotency_key, 300)) {
        return invalid(sim, "Idempotency-Key must be 1 to 300 printable characters");
    }
    auto scope = IdempotencyCache::scope(req.method, req.path, req.idempotency_key);
    StoredResponse stored;
    switch (sim.idempotency().claim(scope, &stored)) {
        case IdempotencyCache::Claim::replay: {
            bump(sim.stats().idempotent_replays);
            replayed = true;
            return json_reply(stored.status, stored.body);
        }
        case IdempotencyCache::Claim::in_flight:
            return error_reply(409, "IDEMPOTENT_REQUEST_PROCESSING",
                               "a request with this Idempotency-Key is still being processed");
        case IdempotencyCache::Claim::claimed:
            break;
    }
    SimReply reply;
    try {
        reply = effect();
    } catch (...) {
        sim.idempotency().release(scope);
        throw;
    }
    // A 400 for a malformed request is not a result worth replaying; everything else is.
    if (reply.status == 400 && reply.body.find("INVALID_REQUEST") != std::string::npos) {
        sim.idempotency().release(scope);
    } else {
        sim.idempotency().store(scope, StoredResponse{reply.status, reply.body});
    }
    return reply;
}

// The timeout knob: the effect happened, the client gets no answer.
void apply_timeout(Simulator& sim, const RuntimeConfig& config, SimReply& reply) {
    reply.action =
        config.chaos.timeout_mode == TimeoutMode::hold ? ReplyAction::hold : ReplyAction::close;
    bump(sim.stats().timeouts);
}

SimReply confirm(Simulator& sim, const SimRequest& req) {
    bump(sim.stats().confirms);
    auto config = sim.config().get();
    // Draw every chaos decision for every confirm, so a sequential run replays exactly.
    bool decline = sim.chaos().chance(config->chaos.decline_rate);
    bool timeout = sim.chaos().chance(config->chaos.timeout_rate);
    auto latency = sim.chaos().latency(config->latency);
    bool replayed = false;
    SimReply reply = idempotent(sim, req, replayed, [&] {
        auto parsed = parse_json_object(req.body);
        if (auto* err = std::get_if<std::string>(&parsed)) return invalid(sim, *err);
        const auto& body = std::get<json::object>(parsed);
        std::optional<FieldError> error;
        auto payment_key = string_field(body, "paymentKey", 1, 200, true, error);
        auto order_id = string_field(body, "orderId", 1, 64, true, error);
        auto amount = amount_field(body, "amount", true, error);
        if (error) return invalid(sim, error->message);
        if (!valid_order_id(*order_id)) {
            return invalid(sim, kOrderIdRule);
        }
        auto outcome = sim.ledger().confirm(*payment_key, *order_id, *amount, decline);
        if (outcome.payment) bump(sim.stats().confirms_done);
        if (outcome.code == "REJECT_CARD_PAYMENT") bump(sim.stats().confirms_declined);
        return outcome_reply(outcome);
    });
    reply.delay = latency;
    if (timeout && reply.status == 200 && !replayed) apply_timeout(sim, *config, reply);
    return reply;
}

SimReply cancel(Simulator& sim, const SimRequest& req, const std::string& payment_key) {
    bump(sim.stats().cancels);
    auto config = sim.config().get();
    bool timeout = sim.chaos().chance(config->chaos.timeout_rate);
    auto latency = sim.chaos().latency(config->latency);
    bool replayed = false;
    SimReply reply = idempotent(sim, req, replayed, [&] {
        auto parsed = parse_json_object(req.body);
        if (auto* err = std::get_if<std::string>(&parsed)) return invalid(sim, *err);
        const auto& body = std::get<json::object>(parsed);
        std::optional<FieldError> error;
        auto reason = string_field(body, "cancelReason", 1, 200, true, error);
        auto amount = amount_field(body, "cancelAmount", false, error);
        if (error) return invalid(sim, error->message);
        auto outcome = sim.ledger().cancel(payment_key, *reason, amount);
        if (outcome.payment) bump(sim.stats().cancels_done);
        return outcome_reply(outcome);
    });
    reply.delay = latency;
    if (timeout && reply.status == 200 && !replayed) apply_timeout(sim, *config, reply);
    return reply;
}

SimReply not_found_payment() { return error_reply(404, "NOT_FOUND_PAYMENT", "no payment matches"); }

}  // namespace

SimReply handle_toss(Simulator& sim, const SimRequest& req) {
    if (!sim.authorized(req.authorization)) {
        bump(sim.stats().unauthorized);
        return error_reply(
            401, "UNAUTHORIZED_KEY",
            "unauthorized secret key: use Authorization: Basic base64(secretKey + \":\")");
    }
    if (req.path.rfind(kPayments, 0) != 0) {
        return error_reply(404, "NOT_FOUND", "no such API path");
    }
    std::string_view rest = std::string_view(req.path).substr(kPayments.size());
    auto method_not_allowed = [&] {
        SimReply r =
            error_reply(405, "METHOD_NOT_ALLOWED", req.method + " is not allowed on " + req.path);
        return r;
    };
    if (rest == "confirm") {
        if (req.method != "POST") return method_not_allowed();
        return confirm(sim, req);
    }
    if (rest.rfind("orders/", 0) == 0) {
        if (req.method != "GET") return method_not_allowed();
        auto order_id = percent_decode(rest.substr(7), false);
        if (!order_id || !valid_order_id(*order_id)) {
            return invalid(sim, kOrderIdRule);
        }
        auto p = sim.ledger().find_by_order(*order_id);
        if (!p) return not_found_payment();
        return json_reply(200, json::serialize(toss_payment_json(*p)));
    }
    auto slash = rest.find('/');
    auto key = percent_decode(rest.substr(0, slash), false);
    if (!key || !valid_token(*key, 200)) return invalid(sim, "paymentKey is malformed");
    if (slash == std::string_view::npos) {
        if (req.method != "GET") return method_not_allowed();
        auto p = sim.ledger().find(*key);
        if (!p) return not_found_payment();
        return json_reply(200, json::serialize(toss_payment_json(*p)));
    }
    if (rest.substr(slash) == "/cancel") {
        if (req.method != "POST") return method_not_allowed();
        return cancel(sim, req, *key);
    }
    return error_reply(404, "NOT_FOUND", "no such API path");
}

}  // namespace admit::paysim
