#include "sim_routes.hpp"

#include <boost/json.hpp>

#include "form_codec.hpp"
#include "payment_json.hpp"
#include "reply.hpp"
#include "request_json.hpp"
#include "simulator.hpp"

namespace admit::paysim {
namespace json = boost::json;

namespace {

SimReply invalid(Simulator& sim, const std::string& message) {
    bump(sim.stats().bad_requests);
    return error_reply(400, "INVALID_REQUEST", message);
}

SimReply approve(Simulator& sim, const SimRequest& req) {
    auto parsed = parse_json_object(req.body);
    if (auto* err = std::get_if<std::string>(&parsed)) return invalid(sim, *err);
    const auto& body = std::get<json::object>(parsed);
    std::optional<FieldError> error;
    auto order_id = string_field(body, "orderId", 1, 64, true, error);
    auto amount = amount_field(body, "amount", true, error);
    auto order_name = string_field(body, "orderName", 0, 100, false, error);
    if (error) return invalid(sim, error->message);
    if (!valid_order_id(*order_id)) {
        return invalid(sim, kOrderIdRule);
    }
    auto result = sim.ledger().approve(*order_id, *amount, order_name.value_or(""));
    if (!result.ok) return error_reply(result.http_status, result.code, result.message);
    bump(sim.stats().approvals);
    return json_reply(200, json::serialize(json::object{{"paymentKey", result.payment_key},
                                                        {"orderId", *order_id},
                                                        {"amount", *amount},
                                                        {"created", result.created}}));
}

SimReply ledger(Simulator& sim, const SimRequest& req) {
    auto query = parse_form(req.query);
    if (!query) return invalid(sim, "malformed query string");
    std::string order_filter;
    if (auto it = query->find("orderId"); it != query->end()) order_filter = it->second;
    json::array payments;
    int64_t charged = 0;
    int64_t refunded = 0;
    for (const auto& p : sim.ledger().all()) {
        if (!order_filter.empty() && p.order_id != order_filter) continue;
        charged += p.charged;
        refunded += p.refunded;
        payments.push_back(ledger_entry_json(p));
    }
    json::object totals{
        {"payments", payments.size()}, {"charged", charged}, {"refunded", refunded}};
    return json_reply(200, json::serialize(json::object{{"payments", std::move(payments)},
                                                        {"totals", std::move(totals)}}));
}

SimReply stats(Simulator& sim) {
    auto out = sim.stats().to_json();
    auto totals = sim.ledger().totals();
    out["ledger"] = json::object{
        {"payments", totals.payments}, {"charged", totals.charged}, {"refunded", totals.refunded}};
    out["webhookPending"] = sim.webhooks().pending();
    out["journalLinesWritten"] = sim.journal() ? sim.journal()->lines_written() : 0;
    out["journalReplayedRecords"] = sim.replayed_records();
    out["idempotencyKeys"] = sim.idempotency().size();
    return json_reply(200, json::serialize(out));
}

SimReply config(Simulator& sim, const SimRequest& req) {
    if (req.method == "POST") {
        auto parsed = parse_json_object(req.body);
        if (auto* err = std::get_if<std::string>(&parsed)) return invalid(sim, *err);
        if (auto err = sim.config().patch(std::get<json::object>(parsed)))
            return invalid(sim, *err);
        sim.notify_config_changed();
    }
    return json_reply(200, json::serialize(runtime_to_json(*sim.config().get())));
}

SimReply method_not_allowed(const SimRequest& req, const char* allow) {
    SimReply r =
        error_reply(405, "METHOD_NOT_ALLOWED", req.method + " is not allowed on " + req.path);
    r.headers.emplace_back("Allow", allow);
    return r;
}

}  // namespace

SimReply handle_sim(Simulator& sim, const SimRequest& req) {
    const auto& path = req.path;
    if (path == "/healthz") {
        if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
        return json_reply(200, R"({"status":"ok"})");
    }
    if (path == "/sim/approve") {
        if (req.method != "POST") return method_not_allowed(req, "POST");
        return approve(sim, req);
    }
    if (path == "/sim/ledger") {
        if (req.method != "GET") return method_not_allowed(req, "GET");
        return ledger(sim, req);
    }
    if (path == "/sim/stats") {
        if (req.method != "GET") return method_not_allowed(req, "GET");
        return stats(sim);
    }
    if (path == "/sim/config") {
        if (req.method != "GET" && req.method != "POST")
            return method_not_allowed(req, "GET, POST");
        return config(sim, req);
    }
    return error_reply(404, "NOT_FOUND", "no such path: " + path);
}

}  // namespace admit::paysim
