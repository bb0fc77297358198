// admit_host_api: routes, SSE streams, responses and the authenticator hook.
#include "host/http/response.hpp"
#include "host/http/stream_hub.hpp"
#include "host/runtime/abi_handles.hpp"
#include "host/runtime/api_support.hpp"

namespace admit::runtime::api {
namespace {

bool parse_roles(admit_str roles, RoleRule& rule, admit_sink* error, std::string_view what) {
    std::string problem;
    if (!RoleRule::parse(view(roles), rule, problem)) {
        write_to(error, fmt::format("{}: {}", what, problem));
        return false;
    }
    return true;
}

admit_status route_register(admit_host* host, const admit_route_desc* route, admit_sink* error) {
    if (!check_registering(host, error, "route_register")) return ADMIT_E_STATE;
    if (route == nullptr || route->handler == nullptr) {
        write_to(error, "route_register needs a route with a handler");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto what = fmt::format("route {} {}", view(route->method), view(route->path));
    auto templ = http::detail::parse_path_template(view(route->path));
    if (!templ || !http::detail::is_valid_method(view(route->method))) {
        write_to(error, fmt::format("{}: {}", what,
                                    templ ? "invalid method" : templ.error().message));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    RouteRegistration reg;
    if (!parse_roles(route->roles, reg.roles, error, what)) return ADMIT_E_INVALID_ARGUMENT;
    reg.method = std::string(view(route->method));
    reg.path = std::string(view(route->path));
    reg.rate_category = view(route->rate_category).empty() ? "general"
                                                           : std::string(view(route->rate_category));
    reg.summary = std::string(view(route->summary));
    reg.handler = route->handler;
    reg.ctx = route->ctx;
    if (ADMIT_HAS_FIELD(route, admit_route_desc, flags)) {
        reg.own_idempotency = (route->flags & ADMIT_ROUTE_OWN_IDEMPOTENCY) != 0;
    }
    plugin_of(host).staged.routes.push_back(std::move(reg));
    return ADMIT_OK;
}

admit_status stream_register(admit_host* host, const admit_stream_desc* stream, admit_sink* error) {
    if (!check_registering(host, error, "stream_register")) return ADMIT_E_STATE;
    if (stream == nullptr || view(stream->topic_template).empty()) {
        write_to(error, "stream_register needs a path and a topic template");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto what = fmt::format("stream {}", view(stream->path));
    auto templ = http::detail::parse_path_template(view(stream->path));
    if (!templ) {
        write_to(error, fmt::format("{}: {}", what, templ.error().message));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    StreamRegistration reg;
    if (!parse_roles(stream->roles, reg.roles, error, what)) return ADMIT_E_INVALID_ARGUMENT;
    reg.path = std::string(view(stream->path));
    reg.topic_template = std::string(view(stream->topic_template));
    reg.summary = std::string(view(stream->summary));
    reg.on_open = stream->on_open;
    reg.ctx = stream->ctx;
    plugin_of(host).staged.streams.push_back(std::move(reg));
    return ADMIT_OK;
}

void stream_publish(admit_host* host, admit_str topic, admit_str event_name, admit_str data) {
    if (auto* hub = runtime_of(host).services().streams; hub != nullptr) {
        hub->publish(view(topic), view(event_name), view(data));
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
            owner = std::shared_ptr<const void>(release_ctx, [release](const void* ctx) {
                release(const_cast<void*>(ctx));
            });
        }
        r->response->borrow_body(view(body), std::move(owner));
        set_content_type(r, content_type);
    } catch (...) {
        fail_response(r);
    }
}

void response_error(admit_response* r, int32_t status, admit_str code, admit_str message) {
    if (status < 400 || status > 599) status = 500;
    auto route_label = std::move(r->response->route_label);
    *r->response = http::Response::error(status, view(code), view(message), r->trace_id);
    r->response->route_label = std::move(route_label);
    r->written = true;
}

admit_status authenticator_register(admit_host* host, admit_authenticate_fn fn, void* ctx,
                                    admit_sink* error) {
    if (!check_registering(host, error, "authenticator_register")) return ADMIT_E_STATE;
    if (fn == nullptr) {
        write_to(error, "authenticator_register needs a function");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.authenticators.push_back({fn, ctx});
    return ADMIT_OK;
}

void principal_set(admit_principal_out* out, admit_str subject, admit_str role, admit_str tier,
                   admit_str session) {
    out->subject.assign(view(subject));
    out->role.assign(view(role));
    out->tier.assign(view(tier));
    out->session.assign(view(session));
    out->set = !out->subject.empty();
}

}  // namespace

void fill_http(admit_host_api& api) {
    api.route_register = &route_register;
    api.stream_register = &stream_register;
    api.stream_publish = &stream_publish;
    api.response_status = &response_status;
    api.response_header = &response_header;
    api.response_body = &response_body;
    api.response_body_borrowed = &response_body_borrowed;
    api.response_error = &response_error;
    api.authenticator_register = &authenticator_register;
    api.principal_set = &principal_set;
}

}  // namespace admit::runtime::api
