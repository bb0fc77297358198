#include "host/pipeline/dispatcher.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "host/abi/abi_handles.hpp"
#include "host/abi/string_sink.hpp"
#include "host/http/pending_reply.hpp"
#include "host/pipeline/stream_close_call.hpp"

namespace admit::runtime {
namespace {

http::Response error(int status, std::string_view code, std::string_view message,
                     const http::Request& request, std::string route_label) {
    auto r = http::Response::error(status, code, message, request.trace_id);
    r.route_label = std::move(route_label);
    return r;
}

bool role_allows(const RoleRule& rule, const Caller& caller) {
    switch (rule.kind) {
        case RoleRule::Kind::public_access:
            return true;
        case RoleRule::Kind::authenticated:
            return caller.authenticated();
        case RoleRule::Kind::roles:
            if (!caller.authenticated()) return false;
            for (const auto& role : caller.roles) {
                if (rule.roles.contains(role)) return true;
            }
            return false;
    }
    return false;
}

std::vector<admit_kv> kv_views(const std::vector<http::PathParam>& params) {
    std::vector<admit_kv> out;
    out.reserve(params.size());
    for (const auto& p : params) out.push_back({to_abi(p.name), to_abi(p.value)});
    return out;
}

}  // namespace

PrincipalView::PrincipalView(const Caller& caller) {
    roles.reserve(caller.roles.size());
    for (const auto& r : caller.roles) roles.push_back(to_abi(r));
    claims.reserve(caller.claims.size());
    for (const auto& [k, v] : caller.claims) claims.push_back({to_abi(k), to_abi(v)});
    principal.size = sizeof(admit_principal);
    principal.subject = to_abi(caller.subject);
    principal.roles = roles.data();
    principal.role_count = static_cast<uint32_t>(roles.size());
    principal.claims = claims.data();
    principal.claim_count = static_cast<uint32_t>(claims.size());
    principal.session = to_abi(caller.session);
}

Dispatcher::Dispatcher(Runtime& runtime) : runtime_(runtime) {}

http::Response Dispatcher::handle(http::Request& request) {
    try {
        auto response = dispatch(request);
        if (response.pending) {
            response.pending->add_step(
                [this, &request](http::Response& r) { cors_.decorate(request, r); });
            return response;
        }
        cors_.decorate(request, response);
        return response;
    } catch (const std::exception& e) {
        spdlog::error("trace_id={} {} {}: unhandled exception: {}", request.trace_id,
                      request.method, request.path, e.what());
    } catch (...) {
        spdlog::error("trace_id={} {} {}: unhandled non-standard exception", request.trace_id,
                      request.method, request.path);
    }
    return http::Response::error(500, "INTERNAL", "internal error", request.trace_id);
}

bool Dispatcher::authenticate(const http::Request& request, Caller& caller) const {
    auto header = request.header("authorization");
    std::string_view token;
    if (header) {
        std::string_view value = *header;
        constexpr std::string_view kBearer = "Bearer ";
        if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer)
            return false;
        token = value.substr(kBearer.size());
    } else if (auto cookie = cookies_.access_token(request)) {
        token = *cookie;  // cookie session (cookie_credentials.hpp)
    } else {
        return true;
    }
    const auto& auth = runtime_.authenticator();
    if (!auth) return false;
    admit_principal_out out;
    out.declared_roles = &runtime_.access().roles;
    admit_status st = auth->fn(auth->ctx, to_abi(token), &out);
    if (st != ADMIT_OK || !out.set) return false;
    caller.subject = std::move(out.subject);
    caller.roles = std::move(out.roles);
    caller.claims = std::move(out.claims);
    caller.session = std::move(out.session);
    return true;
}

http::Response Dispatcher::answer_options(const http::Request& request) const {
    auto match = runtime_.routes().match("OPTIONS", request.path);
    if (match.outcome == http::MatchOutcome::not_found) {
        return error(404, "NOT_FOUND", fmt::format("no route for OPTIONS {}", request.path),
                     request, "");
    }
    auto response = cors_.answer_options(request, match.allow);
    response.route_label = "OPTIONS";
    return response;
}

std::optional<http::Response> Dispatcher::trailing_slash_redirect(
    const http::Request& request) const {
    if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
    const std::string_view path = request.path;
    if (path.size() < 2 || path.back() != '/') return std::nullopt;
    const std::string_view trimmed = path.substr(0, path.size() - 1);
    // The path is percent-decoded; only a path that needs no encoding goes back out as Location.
    const bool plain = std::all_of(trimmed.begin(), trimmed.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '_' ||
               c == '.' || c == '~';
    });
    if (!plain || trimmed.back() == '/') return std::nullopt;
    if (runtime_.routes().match(request.method, trimmed).outcome != http::MatchOutcome::found)
        return std::nullopt;
    std::string location(trimmed);
    if (!request.query.empty()) location += "?" + request.query;
    http::Response r;
    r.status = 308;
    r.route_label = "trailing-slash";
    r.set_header("Location", location);
    return r;
}

http::Response Dispatcher::dispatch(http::Request& request) {
    if (request.method == "OPTIONS") return answer_options(request);
    auto match = runtime_.routes().match(request.method, request.path);
    if (match.outcome == http::MatchOutcome::not_found) {
        if (auto redirect = trailing_slash_redirect(request)) return std::move(*redirect);
        return error(404, "NOT_FOUND",
                     fmt::format("no route for {} {}", request.method, request.path), request, "");
    }
    if (match.outcome == http::MatchOutcome::method_not_allowed) {
        auto r =
            error(405, "METHOD_NOT_ALLOWED",
                  fmt::format("{} is not allowed here; allowed: {}", request.method, match.allow),
                  request, "");
        r.set_header("Allow", match.allow);
        return r;
    }
    const RouteEntry& route = **match.value;
    std::string label(match.path_template);
    request.params = std::move(match.params);

    if (route.kind != RouteEntry::Kind::builtin && !traffic_open_.load(std::memory_order_acquire)) {
        auto r = error(503, "OVERLOADED", "the platform is starting or stopping", request, label);
        r.set_header("Retry-After", "1");
        return r;
    }

    if (auto refusal = cookies_.refuse_cross_site(request))  // CSRF (cookie_credentials.hpp)
        return error(403, "FORBIDDEN", *refusal, request, label);
    Caller caller;
    bool token_ok = authenticate(request, caller);
    if (route.roles.kind != RoleRule::Kind::public_access) {
        if (!token_ok || !caller.authenticated()) {
            auto r = error(401, "UNAUTHENTICATED",
                           token_ok ? "this route needs a bearer access token"
                                    : "the access token is invalid, expired or revoked",
                           request, label);
            r.set_header("WWW-Authenticate", "Bearer");
            return r;
        }
        if (!role_allows(route.roles, caller)) {
            return error(403, "FORBIDDEN",
                         fmt::format("role '{}' may not call this route (allowed: {})",
                                     caller.roles_text(), route.roles.to_string()),
                         request, label);
        }
    }

    for (const auto& guard : guards_) {
        if (auto early = guard->before(route, caller, request)) {
            early->route_label = label;
            return std::move(*early);
        }
    }

    http::Response response;
    switch (route.kind) {
        case RouteEntry::Kind::builtin:
            response = route.builtin(BuiltinCall{request, caller});
            response.route_label = label;
            break;
        case RouteEntry::Kind::plugin:
            response = call_plugin(route, caller, request, label);
            break;
        case RouteEntry::Kind::stream:
            response = open_stream(route, caller, request, label);
            break;
    }
    // What a signed-in caller receives is theirs: no shared cache keeps it unless the route said
    // otherwise.
    const bool signed_in = caller.authenticated();
    auto finish = [signed_in](http::Response& r) {
        if (signed_in && !r.header("Cache-Control")) r.set_header("Cache-Control", "no-store");
    };
    if (response.pending) {  // the same steps, when the answer comes
        for (const auto& guard : guards_)
            response.pending->add_step(guard->deferred_after(route, caller, request));
        response.pending->add_step([finish, label](http::Response& r) {
            if (r.route_label.empty()) r.route_label = label;  // the server's 503 on a timeout
            finish(r);
        });
        return response;
    }
    for (const auto& guard : guards_) guard->after(route, caller, request, response);
    finish(response);
    return response;
}

http::Response Dispatcher::call_plugin(const RouteEntry& route, const Caller& caller,
                                       const http::Request& request, std::string route_label) {
    auto params = kv_views(request.params);
    std::vector<admit_kv> headers;
    headers.reserve(request.headers.size());
    for (const auto& [k, v] : request.headers) headers.push_back({to_abi(k), to_abi(v)});
    PrincipalView principal(caller);
    auto idempotency_key = request.header("idempotency-key").value_or(std::string_view{});

    admit_request abi_request{};
    abi_request.size = sizeof(admit_request);
    abi_request.method = to_abi(request.method);
    abi_request.path = to_abi(request.path);
    abi_request.query = to_abi(request.query);
    abi_request.body = to_abi(request.body);
    abi_request.params = params.data();
    abi_request.param_count = static_cast<uint32_t>(params.size());
    abi_request.headers = headers.data();
    abi_request.header_count = static_cast<uint32_t>(headers.size());
    abi_request.trace_id = to_abi(request.trace_id);
    abi_request.remote_addr = to_abi(request.client_ip);
    abi_request.principal = &principal.principal;
    abi_request.idempotency_key = to_abi(idempotency_key);

    http::Response response;
    response.route_label = route_label;
    admit_response handle{&response, request.trace_id, false, true, {}};
    admit_status st = route.handler(route.ctx, &abi_request, &handle);
    if (handle.deferred_reply) {  // the plugin answers later (ABI 1.6), whatever it returned
        http::Response later;
        later.route_label = std::move(route_label);
        later.pending = std::move(handle.deferred_reply);
        return later;
    }
    if (st != ADMIT_OK && !handle.written) {
        spdlog::error("trace_id={} {} {}: plugin {} handler failed with status {}",
                      request.trace_id, request.method, request.path, route.plugin, st);
        return error(500, "INTERNAL", "internal error", request, std::move(route_label));
    }
    return response;
}

http::Response Dispatcher::open_stream(const RouteEntry& route, const Caller& caller,
                                       const http::Request& request, std::string route_label) {
    http::Response response;
    response.route_label = route_label;
    if (route.on_open != nullptr) {
        auto params = kv_views(request.params);
        PrincipalView principal(caller);
        admit_request abi_request{};
        abi_request.size = sizeof(admit_request);
        abi_request.method = to_abi(request.method);
        abi_request.path = to_abi(request.path);
        abi_request.query = to_abi(request.query);
        abi_request.params = params.data();
        abi_request.param_count = static_cast<uint32_t>(params.size());
        abi_request.trace_id = to_abi(request.trace_id);
        abi_request.remote_addr = to_abi(request.client_ip);
        abi_request.principal = &principal.principal;
        std::string first;
        StringSink sink(first);
        admit_status st = route.on_open(route.ctx, &abi_request, sink.get());
        if (st == ADMIT_E_NOT_FOUND) {
            return error(404, "NOT_FOUND", "no such stream", request, std::move(route_label));
        }
        if (st != ADMIT_OK) {
            spdlog::error("trace_id={} stream {}: on_open failed with status {}", request.trace_id,
                          request.path, st);
            return error(500, "INTERNAL", "internal error", request, std::move(route_label));
        }
        if (!first.empty()) response.stream_first_event = http::format_sse_event("snapshot", first);
    }
    response.stream_topic = substitute_params(route.topic_template, request.params);
    // Accepted: from here on the plugin hears of this stream's end exactly once (ABI 1.3).
    response.stream_end = make_stream_close_call(route, caller, request);
    return response;
}

}  // namespace admit::runtime
