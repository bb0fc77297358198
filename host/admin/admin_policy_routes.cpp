#include "host/admin/admin_policy_routes.hpp"

#include <boost/json.hpp>

#include "host/admin/builtin_routes.hpp"
#include "host/pipeline/json_body.hpp"
#include "host/policy/policy_engine.hpp"

namespace admit::runtime {
namespace {

std::string rfc3339(std::chrono::system_clock::time_point t) {
    auto secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

boost::json::object report_json(const policy::PublishReport& r) {
    boost::json::object o{{"result", policy::to_string(r.result)},
                          {"revision", r.revision},
                          {"previousRevision", r.previous_revision},
                          {"actor", r.actor},
                          {"at", rfc3339(r.at)},
                          {"testsRun", r.tests_run},
                          {"testsPassed", r.tests_passed}};
    if (r.result == policy::PublishResult::rejected) {
        o["problem"] = {{"file", r.problem.file},
                        {"line", r.problem.line},
                        {"message", r.problem.message},
                        {"failingTest", r.problem.failing_test},
                        {"description", r.problem.describe()}};
    }
    return o;
}

boost::json::object info_json(const policy::PolicyInfo& info) {
    boost::json::object o{{"name", info.name},
                          {"liveRevision", info.live_revision},
                          {"sourcePath", info.source_path.string()},
                          {"evaluations", info.counters.evaluations},
                          {"fallbacks", info.counters.fallbacks},
                          {"publishes", info.counters.publishes},
                          {"rejects", info.counters.rejects}};
    if (info.has_last_attempt) o["lastAttempt"] = report_json(info.last_attempt);
    return o;
}

http::Response not_found(std::string_view name, std::string_view trace_id) {
    return http::Response::error(404, "NOT_FOUND", "no policy named '" + std::string(name) + "'",
                                 trace_id);
}

}  // namespace

Status add_admin_policy_routes(RouteTable& routes, policy::PolicyEngine& engine,
                               const std::string& admin_role) {
    auto admin_route = [&admin_role](std::string method, std::string path, std::string summary,
                                     BuiltinHandler handler) {
        return builtin_route(std::move(method), std::move(path), admin_role, std::move(summary),
                             std::move(handler));
    };
    auto* e = &engine;
    std::vector<RouteEntry> entries;
    entries.push_back(
        admin_route("GET", "/api/v1/admin/policies",
                    "Policies with live revision and last reload result", [e](const BuiltinCall&) {
                        boost::json::array items;
                        for (const auto& info : e->list()) items.push_back(info_json(info));
                        return http::Response::json(
                            200, boost::json::serialize(boost::json::object{{"items", items}}));
                    }));

    entries.push_back(
        admin_route("GET", "/api/v1/admin/policies/{name}", "A policy's live source and history",
                    [e](const BuiltinCall& call) {
                        auto name = call.request.param("name").value_or("");
                        for (const auto& info : e->list()) {
                            if (info.name != name) continue;
                            auto o = info_json(info);
                            auto source = e->source(name);
                            o["source"] = source ? source.value() : std::string{};
                            boost::json::array history;
                            for (const auto& r : e->history(name))
                                history.push_back(report_json(r));
                            o["history"] = std::move(history);
                            return http::Response::json(200, boost::json::serialize(o));
                        }
                        return not_found(name, call.request.trace_id);
                    }));

    entries.push_back(admin_route(
        "PUT", "/api/v1/admin/policies/{name}", "Validate, test and publish a new revision",
        [e](const BuiltinCall& call) {
            auto name = std::string(call.request.param("name").value_or(""));
            std::string source;
            auto content_type = call.request.header("content-type").value_or("");
            if (content_type.starts_with("application/json")) {
                auto body = parse_json_object(call.request);
                if (!body) return bad_request(body.error(), call.request.trace_id);
                auto s = optional_string(body.value(), "source");
                if (!s) return bad_request(s.error(), call.request.trace_id);
                if (!s.value()) {
                    return bad_request(
                        Error{ErrorCode::INVALID_REQUEST, "field 'source' is required"},
                        call.request.trace_id);
                }
                source = *s.value();
            } else {
                source = call.request.body;  // text/x-lua or text/plain: the source itself
            }
            if (source.empty()) {
                return bad_request(Error{ErrorCode::INVALID_REQUEST, "the policy source is empty"},
                                   call.request.trace_id);
            }
            auto report = e->publish(name, std::move(source), "admin:" + call.caller.subject);
            if (!report) {
                const auto& err = report.error();
                if (err.code == ErrorCode::POLICY_REJECTED) {
                    auto r = http::Response::error(422, "POLICY_REJECTED", err.message,
                                                   call.request.trace_id);
                    auto history = e->history(name);
                    if (!history.empty()) {
                        auto body = boost::json::parse(r.body).as_object();
                        body["report"] = report_json(history.back());
                        r.body = boost::json::serialize(body);
                    }
                    return r;
                }
                if (err.code == ErrorCode::POLICY_NAME) {
                    return bad_request(Error{ErrorCode::INVALID_REQUEST, err.message},
                                       call.request.trace_id);
                }
                return http::Response::error(500, "INTERNAL", err.message, call.request.trace_id);
            }
            return http::Response::json(200, boost::json::serialize(report_json(report.value())));
        }));

    entries.push_back(admin_route(
        "POST", "/api/v1/admin/policies/{name}/evaluate",
        "Dry-run the live or a supplied revision on an input", [e](const BuiltinCall& call) {
            auto name = call.request.param("name").value_or("");
            auto body = parse_json_object(call.request);
            if (!body) return bad_request(body.error(), call.request.trace_id);
            const auto* input = body->if_contains("input");
            if (input == nullptr || !input->is_object()) {
                return bad_request(
                    Error{ErrorCode::INVALID_REQUEST, "field 'input' must be a JSON object"},
                    call.request.trace_id);
            }
            auto source = optional_string(body.value(), "source");
            if (!source) return bad_request(source.error(), call.request.trace_id);
            auto decision = e->dry_run(name, source.value(), boost::json::serialize(*input));
            if (!decision) {
                const auto& err = decision.error();
                if (err.code == ErrorCode::POLICY_NOT_FOUND)
                    return not_found(name, call.request.trace_id);
                if (err.code == ErrorCode::POLICY_REJECTED) {
                    return http::Response::error(422, "POLICY_REJECTED", err.message,
                                                 call.request.trace_id);
                }
                return bad_request(Error{ErrorCode::INVALID_REQUEST, err.message},
                                   call.request.trace_id);
            }
            boost::json::object out{{"decision", boost::json::parse(decision->json)},
                                    {"revision", decision->revision},
                                    {"fallbackUsed", decision->fallback_used}};
            if (!decision->error.empty()) out["error"] = decision->error;
            return http::Response::json(200, boost::json::serialize(out));
        }));

    for (auto& entry : entries) {
        if (auto s = routes.add(std::move(entry)); !s) return s;
    }
    return {};
}

}  // namespace admit::runtime
