// admit_host_api: routes, SSE streams, responses and the authenticator hook.
#include "admit/registration_rules.hpp"
#include "host/abi/abi_barrier.hpp"
#include "host/abi/abi_handles.hpp"
#include "host/abi/api_support.hpp"
#include "host/http/response.hpp"
#include "host/http/stream_hub.hpp"
#include "host/pipeline/route_contract.hpp"

namespace admit::runtime::api {
namespace {

// `what` names the plugin and the route, so a refusal says where to look.
bool parse_roles(admit_host* host, admit_str roles, RoleRule& rule, admit_sink* error,
                 std::string_view what) {
    std::string problem;
    if (!RoleRule::parse(view(roles), runtime_of(host).access().roles, rule, problem)) {
        write_to(error, fmt::format("{}: {}", what, problem));
        return false;
    }
    return true;
}

// Compiles the route's contract (ABI 1.2). Empty operation id and contract: no contract.
bool read_contract(admit_str operation_id, admit_str contract, bool allow_request,
                   std::shared_ptr<const RouteContract>& out, admit_sink* error,
                   std::string_view what) {
    if (view(operation_id).empty() && view(contract).empty()) return true;
    auto parsed = parse_route_contract(view(operation_id), view(contract), allow_request);
    if (!parsed) {
        write_to(error, fmt::format("{}: {}", what, parsed.error().message));
        return false;
    }
    out = std::make_shared<const RouteContract>(std::move(*parsed));
    return true;
}

admit_status route_register(admit_host* host, const admit_route_desc* route, admit_sink* error) {
    if (!check_registering(host, error, "route_register")) return ADMIT_E_STATE;
    if (route == nullptr || !ADMIT_HAS_FIELD(route, admit_route_desc, ctx) ||
        route->handler == nullptr) {
        write_to(error, fmt::format("route_register needs a route descriptor of at least {} bytes "
                                    "with a handler (got {} bytes)",
                                    offsetof(admit_route_desc, ctx) + sizeof(void*),
                                    route == nullptr ? 0u : route->size));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto what = fmt::format("plugin {}: route {} {}", plugin_of(host).name, view(route->method),
                            view(route->path));
    auto templ = http::detail::parse_path_template(view(route->path));
    if (!templ || !rules::is_route_method(view(route->method))) {
        write_to(error,
                 fmt::format("{}: {}", what, templ ? "invalid method" : templ.error().message));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    RouteRegistration reg;
    if (!parse_roles(host, route->roles, reg.roles, error, what)) return ADMIT_E_INVALID_ARGUMENT;
    reg.method = std::string(view(route->method));
    reg.path = std::string(view(route->path));
    reg.rate_category =
        view(route->rate_category).empty() ? "general" : std::string(view(route->rate_category));
    if (auto problem = rules::rate_category_problem(reg.rate_category,
                                                    runtime_of(host).access().rate_categories)) {
        write_to(error, fmt::format("{}: {}", what, *problem));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    reg.summary = std::string(view(route->summary));
    reg.handler = route->handler;
    reg.ctx = route->ctx;
    if (ADMIT_HAS_FIELD(route, admit_route_desc, flags)) {
        reg.own_idempotency = (route->flags & ADMIT_ROUTE_OWN_IDEMPOTENCY) != 0;
    }
    if (ADMIT_HAS_FIELD(route, admit_route_desc, contract)) {
        if (!read_contract(route->operation_id, route->contract, true, reg.contract, error, what))
            return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.routes.push_back(std::move(reg));
    return ADMIT_OK;
}

admit_status stream_register(admit_host* host, const admit_stream_desc* stream, admit_sink* error) {
    if (!check_registering(host, error, "stream_register")) return ADMIT_E_STATE;
    if (stream == nullptr || !ADMIT_HAS_FIELD(stream, admit_stream_desc, ctx) ||
        view(stream->topic_template).empty()) {
        write_to(error, "stream_register needs a path and a topic template");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto what = fmt::format("plugin {}: stream {}", plugin_of(host).name, view(stream->path));
    auto templ = http::detail::parse_path_template(view(stream->path));
    if (!templ) {
        write_to(error, fmt::format("{}: {}", what, templ.error().message));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    StreamRegistration reg;
    if (!parse_roles(host, stream->roles, reg.roles, error, what)) return ADMIT_E_INVALID_ARGUMENT;
    reg.path = std::string(view(stream->path));
    reg.topic_template = std::string(view(stream->topic_template));
    reg.summary = std::string(view(stream->summary));
    reg.on_open = stream->on_open;
    reg.ctx = stream->ctx;
    // A 1.2 plugin's descriptor ends before on_close: whatever lies there is not ours to read.
    if (ADMIT_HAS_FIELD(stream, admit_stream_desc, on_close)) reg.on_close = stream->on_close;
    if (ADMIT_HAS_FIELD(stream, admit_stream_desc, contract)) {
        if (!read_contract(stream->operation_id, stream->contract, false, reg.contract, error,
                           what))
            return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.streams.push_back(std::move(reg));
    return ADMIT_OK;
}

void stream_publish(admit_host* host, const admit_stream_event* event) {
    if (event == nullptr || !ADMIT_HAS_FIELD(event, admit_stream_event, data)) return;
    if (auto* hub = runtime_of(host).services().streams; hub != nullptr) {
        const admit_str id =
            ADMIT_HAS_FIELD(event, admit_stream_event, id) ? event->id : admit_str{};
        hub->publish(view(event->topic), view(event->event_name), view(event->data), view(id));
    }
}

void response_status(admit_response* r, int32_t status) {
    if (status < 100 || status > 599) status = 500;
    r->response->status = status;
    r->written = true;
}

void response_header(admit_response* r, admit_str name, admit_str value) {
    auto n = view(name);
    auto v = view(value);
    // Header injection guard: no CR/LF in either part.
    if (n.empty() || n.find_first_of("\r\n:") != std::string_view::npos ||
        v.find_first_of("\r\n") != std::string_view::npos) {
        return;
    }
    r->response->set_header(n, v);
    r->written = true;
}

void set_content_type(admit_response* r, admit_str content_type) {
    auto ct = view(content_type);
    r->response->content_type = ct.empty() ? std::string(http::kJsonContentType) : std::string(ct);
    r->written = true;
}

// Out of memory while building a response: no exception may cross the ABI, so the answer
// becomes a bare 500 with no body.
void fail_response(admit_response* r) noexcept {
    r->response->status = 500;
    r->response->borrowed_body.reset();
    r->response->borrowed_owner.reset();
    r->written = true;
}

void response_body(admit_response* r, admit_str body, admit_str content_type) {
    try {
        r->response->set_body(view(body));
        set_content_type(r, content_type);
    } catch (...) {
        fail_response(r);
    }
}

void response_body_borrowed(admit_response* r, admit_str body, admit_str content_type,
                            void (*release)(void*), void* release_ctx) {
    try {
        std::shared_ptr<const void> owner;
        if (release != nullptr) {
            // On allocation failure this constructor calls release itself before throwing.
            owner = std::shared_ptr<const void>(
                release_ctx, [release](const void* ctx) { release(const_cast<void*>(ctx)); });
        }
        r->response->borrow_body(view(body), std::move(owner));
        set_content_type(r, content_type);
    } catch (...) {
        fail_response(r);
    }
}

void response_error(admit_response* r, int32_t status, admit_str code, admit_str message) {
    if (status < 400 || status > 599) status = 500;
    // Headers the handler set (Retry-After, Location...) stay: only status and body change.
    auto route_label = std::move(r->response->route_label);
    auto headers = std::move(r->response->headers);
    *r->response = http::Response::error(status, view(code), view(message), r->trace_id);
    r->response->route_label = std::move(route_label);
    r->response->headers = std::move(headers);
    r->written = true;
}

admit_deferred* response_defer(admit_response* r) {
    if (r == nullptr || !r->deferrable || r->deferred_reply) return nullptr;
    auto deferred = std::make_unique<admit_deferred>();
    deferred->response = std::move(*r->response);  // headers set before deferring stay
    deferred->trace_id = std::string(r->trace_id);
    deferred->handle = {&deferred->response, deferred->trace_id, r->written, false, {}};
    deferred->reply = std::make_shared<http::PendingReply>();
    r->deferred_reply = deferred->reply;
    return deferred.release();
}

admit_response* deferred_response(admit_deferred* deferred) {
    return deferred == nullptr ? nullptr : &deferred->handle;
}

void deferred_finish(admit_deferred* deferred) {
    if (deferred == nullptr) return;
    std::unique_ptr<admit_deferred> owned(deferred);
    if (!owned->handle.written) {
        spdlog::error("trace_id={}: a deferred response was finished without an answer",
                      owned->trace_id);
        auto label = std::move(owned->response.route_label);
        owned->response = http::Response::error(500, "INTERNAL", "internal error", owned->trace_id);
        owned->response.route_label = std::move(label);
    }
    owned->reply->finish(std::move(owned->response));
}

admit_status authenticator_register(admit_host* host, const admit_authenticator_desc* desc,
                                    admit_sink* error) {
    if (!check_registering(host, error, "authenticator_register")) return ADMIT_E_STATE;
    if (desc == nullptr || !ADMIT_HAS_FIELD(desc, admit_authenticator_desc, ctx) ||
        desc->authenticate == nullptr) {
        write_to(error, "authenticator_register needs a descriptor with a function");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.authenticators.push_back({desc->authenticate, desc->ctx});
    return ADMIT_OK;
}

admit_status principal_set(admit_principal_out* out, const admit_principal* principal) {
    if (out == nullptr || principal == nullptr ||
        !ADMIT_HAS_FIELD(principal, admit_principal, session) ||
        (principal->role_count > 0 && principal->roles == nullptr) ||
        (principal->claim_count > 0 && principal->claims == nullptr)) {
        return ADMIT_E_INVALID_ARGUMENT;
    }
    std::vector<std::string> roles;
    roles.reserve(principal->role_count);
    for (uint32_t i = 0; i < principal->role_count; ++i) {
        std::string role(view(principal->roles[i]));
        // A role the venue does not declare would be a privilege nobody configured: refused.
        if (out->declared_roles == nullptr || !out->declared_roles->contains(role)) {
            return ADMIT_E_INVALID_ARGUMENT;
        }
        roles.push_back(std::move(role));
    }
    out->roles = std::move(roles);
    out->claims.clear();
    for (uint32_t i = 0; i < principal->claim_count; ++i) {
        out->claims.emplace_back(view(principal->claims[i].key), view(principal->claims[i].value));
    }
    out->subject.assign(view(principal->subject));
    out->session.assign(view(principal->session));
    out->set = !out->subject.empty();
    return ADMIT_OK;
}

}  // namespace

void fill_http(admit_host_api& api) {
    api.route_register = guarded<&route_register>;
    api.stream_register = guarded<&stream_register>;
    api.stream_publish = guarded<&stream_publish>;
    api.response_status = guarded<&response_status>;
    api.response_header = guarded<&response_header>;
    api.response_body = guarded<&response_body>;
    api.response_body_borrowed = guarded<&response_body_borrowed>;
    api.response_error = guarded<&response_error>;
    api.response_defer = guarded<&response_defer>;
    api.deferred_response = guarded<&deferred_response>;
    api.deferred_finish = guarded<&deferred_finish>;
    api.authenticator_register = guarded<&authenticator_register>;
    api.principal_set = guarded<&principal_set>;
}

}  // namespace admit::runtime::api
