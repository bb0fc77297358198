#include "host/pipeline/stream_close_call.hpp"

#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "host/abi/string_sink.hpp"
#include "host/pipeline/dispatcher.hpp"

namespace admit::runtime {
namespace {

struct ClosingStream {
    admit_stream_close_fn on_close = nullptr;
    void* ctx = nullptr;
    std::shared_ptr<boost::dll::shared_library> keep_alive;
    std::string plugin;
    std::string method;
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> params;
    std::string trace_id;
    std::string client_ip;
    Caller caller;

    void report() const noexcept {
        try {
            std::vector<admit_kv> param_views;
            param_views.reserve(params.size());
            for (const auto& [name, value] : params)
                param_views.push_back({to_abi(name), to_abi(value)});
            PrincipalView principal(caller);
            admit_request request{};
            request.size = sizeof(admit_request);
            request.method = to_abi(method);
            request.path = to_abi(path);
            request.query = to_abi(query);
            request.params = param_views.data();
            request.param_count = static_cast<uint32_t>(param_views.size());
            request.trace_id = to_abi(trace_id);
            request.remote_addr = to_abi(client_ip);
            request.principal = &principal.principal;
            on_close(ctx, &request);
        } catch (const std::exception& e) {
            spdlog::error("trace_id={} stream {}: the end of the stream was not reported to {}: {}",
                          trace_id, path, plugin, e.what());
        } catch (...) {
            spdlog::error("trace_id={} stream {}: the end of the stream was not reported to {}",
                          trace_id, path, plugin);
        }
    }
};

}  // namespace

std::shared_ptr<void> make_stream_close_call(const RouteEntry& route, const Caller& caller,
                                             const http::Request& request) {
    if (route.on_close == nullptr) return nullptr;
    auto closing = std::make_unique<ClosingStream>();
    closing->on_close = route.on_close;
    closing->ctx = route.ctx;
    closing->keep_alive = route.keep_alive;
    closing->plugin = route.plugin;
    closing->method = request.method;
    closing->path = request.path;
    closing->query = request.query;
    closing->params.reserve(request.params.size());
    for (const auto& p : request.params) closing->params.emplace_back(p.name, p.value);
    closing->trace_id = request.trace_id;
    closing->client_ip = request.client_ip;
    closing->caller = caller;
    return std::shared_ptr<void>(closing.release(), [](void* raw) noexcept {
        std::unique_ptr<ClosingStream> owned(static_cast<ClosingStream*>(raw));
        owned->report();
    });
}

}  // namespace admit::runtime
