// admit_host_api: outbound HTTP (ABI 1.1), a thin adapter onto outbound::OutboundClient.
#include "host/abi/abi_barrier.hpp"
#include "host/abi/api_support.hpp"
#include "host/outbound/outbound_client.hpp"

namespace admit::runtime::api {
namespace {

admit_status http_request(admit_host* host, const admit_http_request* request,
                          admit_http_response_fn on_response, void* response_ctx,
                          admit_sink* error) {
    if (request == nullptr || !ADMIT_HAS_FIELD(request, admit_http_request, max_attempts) ||
        on_response == nullptr) {
        write_to(error, "http_request needs a request descriptor and a response callback");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto* client = configured(runtime_of(host).services().outbound, error, "outbound HTTP");
    if (client == nullptr) return ADMIT_E_UNSUPPORTED;

    outbound::OutboundRequest call;
    call.method = std::string(view(request->method));
    call.url = std::string(view(request->url));
    call.body = std::string(view(request->body));
    if (request->header_count > 0 && request->headers == nullptr) {
        write_to(error, "http_request: header_count > 0 without headers");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    for (uint32_t i = 0; i < request->header_count; ++i) {
        call.headers.emplace_back(std::string(view(request->headers[i].key)),
                                  std::string(view(request->headers[i].value)));
    }
    call.connect_timeout = std::chrono::milliseconds(request->connect_timeout_ms);
    call.read_timeout = std::chrono::milliseconds(request->read_timeout_ms);
    call.max_attempts = request->max_attempts;

    outbound::OutboundResult result = client->call(call);
    switch (result.failure) {
        case outbound::OutboundFailure::none:
            break;
        case outbound::OutboundFailure::invalid:
            write_to(error, result.message);
            return ADMIT_E_INVALID_ARGUMENT;
        case outbound::OutboundFailure::not_sent:
            write_to(error, result.message);
            return ADMIT_E_UNAVAILABLE;
        case outbound::OutboundFailure::no_answer:
            write_to(error, result.message);
            return ADMIT_E_TIMEOUT;
        case outbound::OutboundFailure::too_large:
            write_to(error, result.message);
            return ADMIT_E_REJECTED;
    }
    std::vector<admit_kv> headers;
    headers.reserve(result.response.headers.size());
    for (const auto& [name, value] : result.response.headers) {
        headers.push_back(admit_kv{to_abi(name), to_abi(value)});
    }
    admit_http_response response{};
    response.size = sizeof response;
    response.status = result.response.status;
    response.headers = headers.data();
    response.header_count = static_cast<uint32_t>(headers.size());
    response.body = to_abi(result.response.body);
    response.attempts = result.attempts;
    response.latency_ms = static_cast<uint32_t>(result.latency.count());
    on_response(response_ctx, &response);
    return ADMIT_OK;
}

}  // namespace

void fill_outbound(admit_host_api& api) { api.http_request = guarded<&http_request>; }

}  // namespace admit::runtime::api
