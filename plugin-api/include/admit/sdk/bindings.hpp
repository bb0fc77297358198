// The C trampolines the SDK registers with the host: each one owns nothing, finds its C++ target
// through `ctx`, and runs it behind the exception barrier. Internal to the SDK.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/db.hpp>
#include <admit/sdk/event.hpp>
#include <admit/sdk/json_fields.hpp>
#include <admit/sdk/request.hpp>
#include <admit/sdk/response.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::sdk {

/// What an authenticator establishes for a valid token.
struct Identity {
    std::string subject;
    std::vector<std::string> roles;  ///< each one a role the venue configuration declares
    std::vector<std::pair<std::string, std::string>> claims;  ///< opaque to the host, names unique
    std::string session;
};

using RouteHandler = std::function<Response(const Request&)>;
/// Returns the data of the initial "snapshot" event (nullopt: none), or an Error: NOT_FOUND
/// answers 404, anything else 500 (and is logged).
using StreamOpenHandler = std::function<Result<std::optional<boost::json::value>>(const Request&)>;
/// The end of a stream that on_open accepted (ABI 1.3): called once per such stream, on a host
/// I/O thread, with the opening request's view (principal, path parameters; no headers or body).
/// Must not block: record the end and return. An exception is caught and logged.
using StreamCloseHandler = std::function<void(const Request&)>;
using Authenticator = std::function<Result<Identity>(std::string_view bearer_token)>;
using Subscriber = std::function<Status(Tx&, const Event&)>;
using ServiceMethod = std::function<Result<boost::json::value>(const boost::json::value& input,
                                                               const Principal& caller)>;
using JobHandler = std::function<Status(std::string_view payload)>;

namespace detail {

struct RouteBinding {
    HostHandle handle;
    std::string label;  ///< "GET /api/v1/x", for log lines
    RouteHandler handler;

    static admit_status call(void* ctx, const admit_request* request,
                             admit_response* response) noexcept {
        auto* self = static_cast<RouteBinding*>(ctx);
        StringSink error;
        DeferralSlot deferral{self->handle, response, &self->label};
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            Response answer = self->handler(Request(request, &deferral));
            if (deferral.deferred) {  // the LaterResponse answers; `response` is the host's now
                if (!answer.answered_later)
                    log_failure(self->handle, self->label,
                                "returned an answer after Request::defer(); the deferred one "
                                "counts");
                return ADMIT_OK;
            }
            if (answer.answered_later) {
                log_failure(self->handle, self->label,
                            "returned Response::later() without Request::defer()");
                answer = Response::error(500, "INTERNAL", "internal error");
            }
            if (!answer.log_detail.empty()) {
                log_failure(self->handle,
                            self->label + " answered " + std::to_string(answer.status),
                            answer.log_detail);
            }
            answer.send(self->handle.api, response);
            return ADMIT_OK;
        });
        if (status != ADMIT_OK)
            log_failure(self->handle, "handler of " + self->label + " threw", error.text());
        return status;
    }
};

struct StreamBinding {
    HostHandle handle;
    std::string label;
    StreamOpenHandler on_open;
    StreamCloseHandler on_close;

    static void close(void* ctx, const admit_request* request) noexcept {
        auto* self = static_cast<StreamBinding*>(ctx);
        StringSink error;
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            self->on_close(Request(request));
            return ADMIT_OK;
        });
        if (status != ADMIT_OK)
            log_failure(self->handle, "stream close of " + self->label + " threw", error.text());
    }

    static admit_status call(void* ctx, const admit_request* request,
                             admit_sink* first_event) noexcept {
        auto* self = static_cast<StreamBinding*>(ctx);
        StringSink error;
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            auto snapshot = self->on_open(Request(request));
            if (!snapshot) {
                if (snapshot.error().status != ADMIT_E_NOT_FOUND)
                    write_to(error.get(), snapshot.error().message);
                return snapshot.error().status;
            }
            if (snapshot->has_value()) write_to(first_event, boost::json::serialize(**snapshot));
            return ADMIT_OK;
        });
        if (!error.text().empty())
            log_failure(self->handle, "stream open of " + self->label + " failed", error.text());
        return status;
    }
};

struct AuthenticatorBinding {
    HostHandle handle;
    Authenticator authenticate;

    static admit_status call(void* ctx, admit_str token, admit_principal_out* out) noexcept {
        auto* self = static_cast<AuthenticatorBinding*>(ctx);
        StringSink error;
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            auto identity = self->authenticate(from_abi(token));
            if (!identity) return identity.status();
            std::vector<admit_str> roles;
            roles.reserve(identity->roles.size());
            for (const auto& role : identity->roles) roles.push_back(to_abi(role));
            std::vector<admit_kv> claims;
            claims.reserve(identity->claims.size());
            for (const auto& [name, value] : identity->claims)
                claims.push_back({to_abi(name), to_abi(value)});
            admit_principal principal{};
            principal.size = sizeof principal;
            principal.subject = to_abi(identity->subject);
            principal.roles = roles.data();
            principal.role_count = static_cast<uint32_t>(roles.size());
            principal.claims = claims.data();
            principal.claim_count = static_cast<uint32_t>(claims.size());
            principal.session = to_abi(identity->session);
            return self->handle.api->principal_set(out, &principal);
        });
        if (!error.text().empty()) log_failure(self->handle, "authenticator threw", error.text());
        return status;
    }
};

struct SubscriberBinding {
    HostHandle handle;
    Subscriber handler;

    static admit_status call(void* ctx, admit_tx* tx, const admit_event* event,
                             admit_sink* error) noexcept {
        auto* self = static_cast<SubscriberBinding*>(ctx);
        return barrier(error, [&]() -> admit_status {
            Tx transaction(self->handle, tx);
            return report(self->handler(transaction, Event(event)), error);
        });
    }
};

struct ServiceBinding {
    HostHandle handle;
    ServiceMethod method;

    static admit_status call(void* ctx, const admit_principal* caller, admit_str input,
                             admit_sink* output, admit_sink* error) noexcept {
        auto* self = static_cast<ServiceBinding*>(ctx);
        return barrier(error, [&]() -> admit_status {
            const std::string_view text = from_abi(input);
            auto parsed = text.empty() ? Result<boost::json::value>(boost::json::value{})
                                       : parse_json(text, "service input");
            if (!parsed) return report(parsed.error(), error);
            auto result = self->method(*parsed, Principal(caller));
            if (!result) return report(result.error(), error);
            write_to(output, boost::json::serialize(*result));
            return ADMIT_OK;
        });
    }
};

struct JobBinding {
    HostHandle handle;
    JobHandler run;

    static admit_status call(void* ctx, admit_str payload, admit_sink* error) noexcept {
        auto* self = static_cast<JobBinding*>(ctx);
        return barrier(
            error, [&]() -> admit_status { return report(self->run(from_abi(payload)), error); });
    }
};

}  // namespace detail
}  // namespace admit::sdk
