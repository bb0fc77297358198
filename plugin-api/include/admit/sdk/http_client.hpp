// Outbound HTTP(S) through the host (ABI 1.1): the C++ face of admit_host_api.http_request.
//
// A call is synchronous: it blocks the calling thread until the answer, or until the bounded
// deadline of admit_http_request (attempts * (connect + read timeout) + backoffs, each timeout
// capped by the host's [outbound] max_timeout_ms). Thread-safe.
//
// How to read a failure (the distinction a payment plugin lives on):
//   http_not_sent(error)        ADMIT_E_UNAVAILABLE: the request certainly did not leave (circuit
//                               open, no connection): nothing happened upstream.
//   http_may_have_acted(error)  ADMIT_E_TIMEOUT or ADMIT_E_REJECTED (body over the cap): it was
//                               sent and no usable answer came: the effect is UNKNOWN.
// A 4xx/5xx answer is not an Error: it is an HttpResponse with that status.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::sdk {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;  ///< absolute http:// or https:// URL
    HttpHeaders headers = {};
    std::string body = {};
    uint32_t connect_timeout_ms = 0;  ///< 0: the host's default
    uint32_t read_timeout_ms = 0;     ///< 0: the host's default
    uint32_t max_attempts = 0;        ///< 0: the host's default; 1: never retried
};

struct HttpResponse {
    int status = 0;
    HttpHeaders headers;  ///< names lower-case
    std::string body;
    uint32_t attempts = 0;
    uint32_t latency_ms = 0;

    /// The first header named `name` (lower-case), or "" when absent.
    std::string_view header(std::string_view name) const noexcept {
        for (const auto& [key, value] : headers) {
            if (key == name) return value;
        }
        return {};
    }
};

/// The request certainly did not reach the upstream.
inline bool http_not_sent(const Error& error) noexcept {
    return error.status == ADMIT_E_UNAVAILABLE;
}
/// The request was (or may have been) sent and no usable answer came: the effect is unknown.
inline bool http_may_have_acted(const Error& error) noexcept {
    return error.status == ADMIT_E_TIMEOUT || error.status == ADMIT_E_REJECTED;
}

/// Sends `request` through the host. ADMIT_E_UNSUPPORTED when the host predates ABI 1.1.
inline Result<HttpResponse> http_call(HostHandle handle, const HttpRequest& request) {
    if (!ADMIT_HOST_OFFERS(handle.api, http_request)) {
        return Error::unsupported("this host offers no outbound HTTP (needs ABI 1.1)");
    }
    std::vector<admit_kv> headers;
    headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
        headers.push_back(admit_kv{to_abi(name), to_abi(value)});
    }
    admit_http_request raw{};
    raw.size = sizeof raw;
    raw.method = to_abi(request.method);
    raw.url = to_abi(request.url);
    raw.headers = headers.data();
    raw.header_count = static_cast<uint32_t>(headers.size());
    raw.body = to_abi(request.body);
    raw.connect_timeout_ms = request.connect_timeout_ms;
    raw.read_timeout_ms = request.read_timeout_ms;
    raw.max_attempts = request.max_attempts;

    struct Receiver {
        HttpResponse response;
        bool received = false;
        bool failed = false;
        static void on_response(void* ctx, const admit_http_response* answer) noexcept {
            auto* self = static_cast<Receiver*>(ctx);
            try {
                self->response.status = answer->status;
                for (uint32_t i = 0; i < answer->header_count; ++i) {
                    self->response.headers.emplace_back(from_abi(answer->headers[i].key),
                                                        from_abi(answer->headers[i].value));
                }
                self->response.body = std::string(from_abi(answer->body));
                self->response.attempts = answer->attempts;
                self->response.latency_ms = answer->latency_ms;
                self->received = true;
            } catch (...) {  // out of memory: reported below, never thrown across the ABI
                self->failed = true;
            }
        }
    } receiver;
    StringSink error;
    const admit_status status =
        handle.api->http_request(handle.host, &raw, &Receiver::on_response, &receiver, error.get());
    if (status != ADMIT_OK) return Status::from(status, error.take()).error();
    if (receiver.failed || !receiver.received) {
        return Error::internal("the host answered OK without a complete response");
    }
    return std::move(receiver.response);
}

}  // namespace admit::sdk
