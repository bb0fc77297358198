#include "host/admin/admin_policy_routes.hpp"

#include <boost/json.hpp>

#include <cmath>

#include "host/admin/builtin_routes.hpp"
#include "host/pipeline/json_body.hpp"
#include "host/policy/decision_log.hpp"
#include "host/policy/fleet_sync.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/policy_files.hpp"
#include "host/policy/revision_store.hpp"
#include "host/policy/shadow_run.hpp"
#include "host/policy/staff_workflow.hpp"

namespace admit::runtime {
namespace {

using policy::RevisionRecord;

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

// A stored revision; sources only when `with_sources` (a single revision, not a list).
boost::json::object revision_json(const RevisionRecord& r, bool with_sources) {
    boost::json::object o{
        {"policy", r.policy},
        {"revision", r.revision},
        {"author", r.author},
        {"comment", r.comment},
        {"parent", r.parent.empty() ? boost::json::value(nullptr) : boost::json::value(r.parent)},
        {"status", r.status},
        {"live", r.live},
        {"createdAt", r.created_at}};
    if (!r.decided_by.empty()) o["decidedBy"] = r.decided_by;
    boost::system::error_code error;
    auto report = boost::json::parse(r.report_json, error);
    o["report"] = error ? boost::json::value(nullptr) : report;
    if (with_sources) {
        o["source"] = r.source;
        o["tests"] = r.tests;
    }
    return o;
}

http::Response not_found(std::string_view name, std::string_view trace_id) {
    return http::Response::error(404, "NOT_FOUND", "no policy named '" + std::string(name) + "'",
                                 trace_id);
}

// The answer for an error of the workflow or the store.
http::Response error_response(const Error& err, std::string_view trace_id) {
    switch (err.code) {
        case ErrorCode::POLICY_NAME:
        case ErrorCode::INVALID_REQUEST:
            return bad_request(Error{ErrorCode::INVALID_REQUEST, err.message}, trace_id);
        case ErrorCode::POLICY_NOT_FOUND:
        case ErrorCode::NOT_FOUND:
            return http::Response::error(404, "NOT_FOUND", err.message, trace_id);
        case ErrorCode::POLICY_REJECTED:
            return http::Response::error(422, "POLICY_REJECTED", err.message, trace_id);
        case ErrorCode::CONFLICT:
            return http::Response::error(409, "POLICY_CONFLICT", err.message, trace_id);
        case ErrorCode::BLOCKED:
            return http::Response::error(403, "FORBIDDEN", err.message, trace_id);
        case ErrorCode::STATE:
            return http::Response::error(409, "POLICY_HISTORY_UNAVAILABLE", err.message, trace_id);
        case ErrorCode::DEPENDENCY_UNAVAILABLE:
        case ErrorCode::POOL_EXHAUSTED:
        case ErrorCode::TIMEOUT:
            return http::Response::error(503, "UNAVAILABLE", err.message, trace_id);
        default:
            return http::Response::error(500, "INTERNAL", err.message, trace_id);
    }
}

// ?limit=&cursor= of a list request (API.md conventions: limit 1..200, default 50).
struct ListQuery {
    std::size_t limit = 50;
    std::optional<std::int64_t> before;
    std::string scope;  // ?scope=product/p1: the revisions of that scoped variant
};

Result<ListQuery> list_query(std::string_view query) {
    ListQuery out;
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto pair = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (key == "scope") {
            out.scope = std::string(value);
            continue;
        }
        if (key != "limit" && key != "cursor") continue;
        std::int64_t number = 0;
        bool digits = !value.empty() && value.size() <= 18;
        for (char c : value) {
            digits = digits && c >= '0' && c <= '9';
            if (digits) number = number * 10 + (c - '0');
        }
        if (key == "limit") {
            if (!digits || number < 1 || number > 200) {
                return Error{ErrorCode::INVALID_REQUEST, "limit must be an integer from 1 to 200"};
            }
            out.limit = static_cast<std::size_t>(number);
        } else {
            if (!digits) return Error{ErrorCode::INVALID_REQUEST, "cursor is not valid"};
            out.before = number;
        }
    }
    return out;
}

// {"source", "tests"?, "comment"?} or a text body that is the source itself.
Result<policy::Proposal> read_proposal(const http::Request& request) {
    policy::Proposal proposal;
    auto content_type = request.header("content-type").value_or("");
    if (content_type.starts_with("application/json")) {
        auto body = parse_json_object(request);
        if (!body) return body.error();
        auto source = optional_string(body.value(), "source");
        if (!source) return source.error();
        if (!source.value()) return Error{ErrorCode::INVALID_REQUEST, "field 'source' is required"};
        proposal.source = *source.value();
        auto tests = optional_string(body.value(), "tests");
        if (!tests) return tests.error();
        proposal.tests = tests.value();
        auto scope = optional_string(body.value(), "scope");
        if (!scope) return scope.error();
        proposal.scope = scope.value().value_or("");
        auto comment = optional_string(body.value(), "comment");
        if (!comment) return comment.error();
        proposal.comment = comment.value().value_or("");
        if (proposal.comment.size() > 2000) {
            return Error{ErrorCode::INVALID_REQUEST, "field 'comment' is longer than 2000 bytes"};
        }
    } else {
        proposal.source = request.body;  // text/x-lua or text/plain: the source itself
    }
    if (proposal.source.empty()) {
        return Error{ErrorCode::INVALID_REQUEST, "the policy source is empty"};
    }
    return proposal;
}

std::string actor_of(const BuiltinCall& call) { return "admin:" + call.caller.subject; }

http::Response listing(const PolicyAdminContext& c) {
    boost::json::object hosts_by_policy;
    boost::json::array hosts;
    if (c.revisions != nullptr && c.fleet != nullptr) {
        auto serving = c.revisions->serving(c.fleet->report_freshness());
        if (serving) {
            for (const auto& host : serving.value()) {
                boost::system::error_code error;
                auto revisions = boost::json::parse(host.revisions_json, error);
                if (error || !revisions.is_object()) continue;
                hosts.push_back(
                    {{"host", host.host}, {"seenAt", host.seen_at}, {"revisions", revisions}});
                for (const auto& [policy, revision] : revisions.get_object()) {
                    auto& served = hosts_by_policy[policy];
                    if (!served.is_object()) served = boost::json::object{};
                    served.get_object()[host.host] = revision;
                }
            }
        }
    }
    boost::json::array items;
    for (const auto& info : c.engine->list()) {
        auto item = info_json(info);
        if (c.revisions != nullptr) {
            const auto* served = hosts_by_policy.if_contains(info.name);
            item["servedBy"] = served != nullptr ? *served : boost::json::object{};
        }
        items.push_back(std::move(item));
    }
    boost::json::object out{{"items", std::move(items)}};
    if (c.fleet != nullptr) {
        out["host"] = c.fleet->host_id();
        out["hosts"] = std::move(hosts);
    }
    return http::Response::json(200, boost::json::serialize(out));
}

http::Response one_policy(const PolicyAdminContext& c, const BuiltinCall& call) {
    auto name = call.request.param("name").value_or("");
    for (const auto& info : c.engine->list()) {
        if (info.name != name) continue;
        auto o = info_json(info);
        const auto live = c.engine->live();
        if (auto found = live.find(name); found != live.end()) {
            o["source"] = found->second->source;
            o["tests"] = found->second->test_source;
        } else {
            o["source"] = "";
            o["tests"] = "";
        }
        boost::json::array history;
        for (const auto& r : c.engine->history(name)) history.push_back(report_json(r));
        o["history"] = std::move(history);
        o["requireApproval"] = c.workflow->require_approval();
        return http::Response::json(200, boost::json::serialize(o));
    }
    return not_found(name, call.request.trace_id);
}

http::Response publish(const PolicyAdminContext& c, const BuiltinCall& call) {
    auto proposal = read_proposal(call.request);
    if (!proposal) return bad_request(proposal.error(), call.request.trace_id);
    proposal->name = std::string(call.request.param("name").value_or(""));
    proposal->actor = actor_of(call);
    const std::string name = policy::policy_key(proposal->name, proposal->scope);
    auto outcome = c.workflow->propose(std::move(proposal.value()));
    if (!outcome) {
        auto r = error_response(outcome.error(), call.request.trace_id);
        auto history = c.engine->history(name);
        if (outcome.error().code == ErrorCode::POLICY_REJECTED && !history.empty()) {
            auto body = boost::json::parse(r.body).as_object();
            body["report"] = report_json(history.back());
            r.body = boost::json::serialize(body);
        }
        return r;
    }
    auto body = report_json(outcome->report);
    if (!outcome->record.revision.empty() &&
        outcome->report.result != policy::PublishResult::unchanged) {
        body["stored"] = revision_json(outcome->record, false);
    }
    const int status = outcome->report.result == policy::PublishResult::pending ? 202 : 200;
    return http::Response::json(status, boost::json::serialize(body));
}

http::Response revisions(const PolicyAdminContext& c, const BuiltinCall& call) {
    if (c.revisions == nullptr) {
        return error_response(Error{ErrorCode::STATE, "revisions need [database]"},
                              call.request.trace_id);
    }
    auto query = list_query(call.request.query);
    if (!query) return bad_request(query.error(), call.request.trace_id);
    auto name = policy::policy_key(call.request.param("name").value_or(""), query->scope);
    auto page = c.revisions->list(name, query->before, query->limit);
    if (!page) return error_response(page.error(), call.request.trace_id);
    if (page->items.empty() && !query->before) return not_found(name, call.request.trace_id);
    boost::json::array items;
    for (const auto& r : page->items) items.push_back(revision_json(r, false));
    boost::json::object out{
        {"items", std::move(items)},
        {"nextCursor",
         page->next_cursor ? boost::json::value(*page->next_cursor) : boost::json::value(nullptr)}};
    return http::Response::json(200, boost::json::serialize(out));
}

http::Response one_revision(const PolicyAdminContext& c, const BuiltinCall& call) {
    if (c.revisions == nullptr) {
        return error_response(Error{ErrorCode::STATE, "revisions need [database]"},
                              call.request.trace_id);
    }
    auto name = std::string(call.request.param("name").value_or(""));
    auto revision = std::string(call.request.param("revision").value_or(""));
    auto found = c.revisions->get(name, revision);
    if (!found) return error_response(found.error(), call.request.trace_id);
    if (!found.value()) {
        return http::Response::error(404, "NOT_FOUND",
                                     "policy '" + name + "' has no revision '" + revision + "'",
                                     call.request.trace_id);
    }
    return http::Response::json(200, boost::json::serialize(revision_json(*found.value(), true)));
}

http::Response roll_back(const PolicyAdminContext& c, const BuiltinCall& call) {
    auto body = parse_json_object(call.request);
    if (!body) return bad_request(body.error(), call.request.trace_id);
    auto revision = optional_string(body.value(), "revision");
    if (!revision) return bad_request(revision.error(), call.request.trace_id);
    if (!revision.value() || revision.value()->empty()) {
        return bad_request(Error{ErrorCode::INVALID_REQUEST, "field 'revision' is required"},
                           call.request.trace_id);
    }
    auto scope = optional_string(body.value(), "scope");
    if (!scope) return bad_request(scope.error(), call.request.trace_id);
    auto name =
        policy::policy_key(call.request.param("name").value_or(""), scope.value().value_or(""));
    auto done = c.workflow->roll_back(name, *revision.value(), actor_of(call));
    if (!done) return error_response(done.error(), call.request.trace_id);
    return http::Response::json(200, boost::json::serialize(revision_json(done.value(), false)));
}

http::Response decide(const PolicyAdminContext& c, const BuiltinCall& call, bool approve) {
    auto name = std::string(call.request.param("name").value_or(""));
    auto revision = std::string(call.request.param("revision").value_or(""));
    auto done = c.workflow->decide(name, revision, approve, actor_of(call));
    if (!done) return error_response(done.error(), call.request.trace_id);
    return http::Response::json(200, boost::json::serialize(revision_json(done.value(), false)));
}

http::Response evaluate(const PolicyAdminContext& c, const BuiltinCall& call) {
    auto name = call.request.param("name").value_or("");
    auto body = parse_json_object(call.request);
    if (!body) return bad_request(body.error(), call.request.trace_id);
    const auto* input = body->if_contains("input");
    if (input == nullptr || !input->is_object()) {
        return bad_request(Error{ErrorCode::INVALID_REQUEST, "field 'input' must be a JSON object"},
                           call.request.trace_id);
    }
    auto source = optional_string(body.value(), "source");
    if (!source) return bad_request(source.error(), call.request.trace_id);
    auto decision = c.engine->dry_run(name, source.value(), boost::json::serialize(*input));
    if (!decision) {
        const auto& err = decision.error();
        if (err.code == ErrorCode::POLICY_NOT_FOUND) return not_found(name, call.request.trace_id);
        if (err.code == ErrorCode::POLICY_REJECTED) {
            return http::Response::error(422, "POLICY_REJECTED", err.message,
                                         call.request.trace_id);
        }
        return bad_request(Error{ErrorCode::INVALID_REQUEST, err.message}, call.request.trace_id);
    }
    boost::json::object out{{"decision", boost::json::parse(decision->json)},
                            {"revision", decision->revision},
                            {"fallbackUsed", decision->fallback_used},
                            {"scope", decision->scope}};
    if (!decision->error.empty()) out["error"] = decision->error;
    return http::Response::json(200, boost::json::serialize(out));
}

// {"source", "limit"? (1..100000, default 10000), "since"? ("1d", "12h", ...), "scope"?}.
http::Response shadow(const PolicyAdminContext& c, const BuiltinCall& call) {
    if (c.decisions == nullptr) {
        return error_response(Error{ErrorCode::STATE, "shadow runs need the decision log"},
                              call.request.trace_id);
    }
    auto body = parse_json_object(call.request);
    if (!body) return bad_request(body.error(), call.request.trace_id);
    auto source = optional_string(body.value(), "source");
    if (!source) return bad_request(source.error(), call.request.trace_id);
    if (!source.value() || source.value()->empty()) {
        return bad_request(Error{ErrorCode::INVALID_REQUEST, "field 'source' is required"},
                           call.request.trace_id);
    }
    auto limit = optional_number(body.value(), "limit");
    if (!limit) return bad_request(limit.error(), call.request.trace_id);
    const double n = limit.value().value_or(10000);
    if (n < 1 || n > 100000 || std::floor(n) != n) {
        return bad_request(
            Error{ErrorCode::INVALID_REQUEST, "field 'limit' must be an integer from 1 to 100000"},
            call.request.trace_id);
    }
    auto since_text = optional_string(body.value(), "since");
    if (!since_text) return bad_request(since_text.error(), call.request.trace_id);
    std::optional<std::chrono::seconds> since;
    if (since_text.value()) {
        since = policy::parse_window(*since_text.value());
        if (!since) {
            return bad_request(
                Error{ErrorCode::INVALID_REQUEST, "field 'since' must look like 1d, 12h, 30m"},
                call.request.trace_id);
        }
    }
    auto scope = optional_string(body.value(), "scope");
    if (!scope) return bad_request(scope.error(), call.request.trace_id);
    auto name = std::string(call.request.param("name").value_or(""));
    if (c.engine->live().count(name) == 0) return not_found(name, call.request.trace_id);
    auto report = policy::shadow_run(*c.engine, *c.decisions, name, std::move(*source.value()),
                                     static_cast<std::size_t>(n), since, scope.value());
    if (!report) return error_response(report.error(), call.request.trace_id);
    return http::Response::json(200,
                                boost::json::serialize(policy::shadow_report_json(report.value())));
}

}  // namespace

// The contracts of the policy routes. Request members are documented without types: the handlers
// validate them with their own messages (read_proposal, evaluate, shadow), which the tests pin.
namespace policy_contracts {
constexpr std::string_view kListing = R"({"response": {"description":
    "every policy with its live revision, last reload result and the hosts serving it",
    "schema": {"type": "object"}}})";
constexpr std::string_view kOne = R"({"response": {"description":
    "the live source, tests and recent attempts", "schema": {"type": "object"}},
    "errors": {"404": ["NOT_FOUND"]}})";
constexpr std::string_view kPublish = R"({"request": {"type": "object", "properties": {
    "source": {"description": "the Lua source of the revision"},
    "tests": {"description": "its tests; the live tests when absent"},
    "comment": {"description": "why, for the history"},
    "scope": {"description": "product/<id> for a per-product override; venue-wide when absent"}}},
  "response": {"status": 200, "otherStatuses": [202], "description":
    "the publish report; 202: stored and waiting for a second person's approval",
    "schema": {"type": "object"}},
  "errors": {"404": ["NOT_FOUND"], "409": ["POLICY_CONFLICT", "POLICY_HISTORY_UNAVAILABLE"],
             "422": ["POLICY_REJECTED"]}})";
constexpr std::string_view kRevisions = R"({"query": {"type": "object", "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200},
    "cursor": {"type": "string", "maxLength": 200},
    "scope": {"type": "string", "maxLength": 200}}},
  "response": {"description": "stored revisions, newest first", "schema": {"type": "object",
    "required": ["items"], "properties": {"items": {"type": "array"}}}},
  "errors": {"404": ["NOT_FOUND"], "409": ["POLICY_HISTORY_UNAVAILABLE"]}})";
constexpr std::string_view kRevision = R"({"response": {"description":
    "the revision with its source, tests and report", "schema": {"type": "object"}},
  "errors": {"404": ["NOT_FOUND"], "409": ["POLICY_HISTORY_UNAVAILABLE"]}})";
constexpr std::string_view kRollback = R"({"request": {"type": "object", "properties": {
    "revision": {"description": "the stored revision to make live again"},
    "scope": {"description": "as for publish"}}},
  "response": {"description": "the revision now live", "schema": {"type": "object"}},
  "errors": {"404": ["NOT_FOUND"], "409": ["POLICY_HISTORY_UNAVAILABLE", "POLICY_CONFLICT"],
             "422": ["POLICY_REJECTED"]}})";
constexpr std::string_view kDecide = R"({"response": {"description":
    "the revision after the decision", "schema": {"type": "object"}},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"],
             "409": ["POLICY_HISTORY_UNAVAILABLE", "POLICY_CONFLICT"]}})";
constexpr std::string_view kShadow = R"({"request": {"type": "object", "properties": {
    "source": {"description": "the candidate revision"},
    "limit": {"description": "recorded decisions to replay, default 10,000"},
    "since": {"description": "only decisions after this time"},
    "scope": {"description": "as for publish"}}},
  "response": {"description": "how many decisions change, per field and with examples",
    "schema": {"type": "object"}},
  "errors": {"404": ["NOT_FOUND"], "409": ["POLICY_HISTORY_UNAVAILABLE"],
             "422": ["POLICY_REJECTED"]}})";
constexpr std::string_view kEvaluate = R"({"request": {"type": "object", "properties": {
    "input": {"description": "the policy's input object"},
    "source": {"description": "a candidate source; the live revision when absent"}}},
  "response": {"description": "the decision, the revision and the scope that decided",
    "schema": {"type": "object"}},
  "errors": {"404": ["NOT_FOUND"], "422": ["POLICY_REJECTED"]}})";
}  // namespace policy_contracts

Status add_admin_policy_routes(RouteTable& routes, PolicyAdminContext context) {
    auto shared = std::make_shared<const PolicyAdminContext>(std::move(context));
    const std::string editors = shared->admin_role + "," + shared->editor_role;
    const std::string base = "/api/v1/admin/policies";
    using Handler = http::Response (*)(const PolicyAdminContext&, const BuiltinCall&);
    auto route = [&shared](std::string method, std::string path, std::string roles,
                           std::string summary, Handler handler, BuiltinContract contract) {
        return builtin_route(
            std::move(method), std::move(path), std::move(roles), std::move(summary),
            [shared, handler](const BuiltinCall& call) { return handler(*shared, call); },
            contract);
    };
    std::vector<RouteEntry> entries;
    entries.push_back(builtin_route("GET", base, editors,
                                    "Policies with live revision, last result and serving hosts",
                                    [shared](const BuiltinCall&) { return listing(*shared); },
                                    {"listPolicies", policy_contracts::kListing}));
    entries.push_back(route("GET", base + "/{name}", editors,
                            "A policy's live source, tests and recent attempts", one_policy,
                            {"getPolicy", policy_contracts::kOne}));
    entries.push_back(route("PUT", base + "/{name}", editors,
                            "Validate, test, schema-check and publish (or submit) a revision",
                            publish, {"publishPolicy", policy_contracts::kPublish}));
    entries.push_back(route("GET", base + "/{name}/revisions", editors,
                            "Stored revisions with author, comment and report (newest first)",
                            revisions, {"listPolicyRevisions", policy_contracts::kRevisions}));
    entries.push_back(route("GET", base + "/{name}/revisions/{revision}", editors,
                            "One stored revision with its source, tests and report", one_revision,
                            {"getPolicyRevision", policy_contracts::kRevision}));
    entries.push_back(route("POST", base + "/{name}/rollback", editors,
                            "Make a stored revision live again for every host", roll_back,
                            {"rollBackPolicy", policy_contracts::kRollback}));
    entries.push_back(route(
        "POST", base + "/{name}/revisions/{revision}/approve", shared->admin_role,
        "Approve a pending revision (not its author)",
        [](const PolicyAdminContext& c, const BuiltinCall& call) { return decide(c, call, true); },
        {"approvePolicyRevision", policy_contracts::kDecide}));
    entries.push_back(route(
        "POST", base + "/{name}/revisions/{revision}/reject", shared->admin_role,
        "Reject a pending revision",
        [](const PolicyAdminContext& c, const BuiltinCall& call) { return decide(c, call, false); },
        {"rejectPolicyRevision", policy_contracts::kDecide}));
    entries.push_back(route("POST", base + "/{name}/shadow", editors,
                            "Replay a candidate on recorded decisions and report what changes",
                            shadow, {"shadowPolicy", policy_contracts::kShadow}));
    entries.push_back(route("POST", base + "/{name}/evaluate", editors,
                            "Dry-run the live or a supplied revision on an input", evaluate,
                            {"evaluatePolicy", policy_contracts::kEvaluate}));
    for (auto& entry : entries) {
        if (auto s = routes.add(std::move(entry)); !s) return s;
    }
    return {};
}

}  // namespace admit::runtime
