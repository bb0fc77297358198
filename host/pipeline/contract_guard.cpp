#include "host/pipeline/contract_guard.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace admit::runtime {

std::optional<http::Response> ContractGuard::before(const RouteEntry& route, const Caller&,
                                                    const http::Request& request) {
    if (!route.contract) return std::nullopt;
    auto problem = route.contract->check_query(request.query);
    if (!problem && route.contract->request && request.method != "GET" &&
        request.method != "HEAD") {
        problem = route.contract->check_body(request.body);
    }
    if (!problem) return std::nullopt;
    return http::Response::error(400, "INVALID_REQUEST", *problem, request.trace_id);
}

void ContractGuard::after(const RouteEntry& route, const Caller&, const http::Request& request,
                          http::Response& response) {
    if (!check_responses_ || !route.contract || route.kind == RouteEntry::Kind::stream) return;
    if (response.status < 200 || response.status > 299) return;
    std::optional<std::string> problem;
    if (!route.contract->documents_status(response.status)) {
        problem = fmt::format("status {} is not documented (documented: {}{})", response.status,
                              route.contract->response_status,
                              route.contract->other_statuses.empty() ? "" : " and others");
    } else if (route.contract->response_media_type == "application/json" &&
               !response.header("Content-Encoding")) {
        // payload(): a borrowed body (a cached seat map) is the one sent, not `body`. A
        // content-encoded body (gzip) is the same document compressed; its plain variant is
        // checked when a client asks for that one.
        problem = route.contract->check_response(response.payload());
    }
    if (!problem) return;
    spdlog::error("trace_id={} {} {}: the response breaks the route's contract: {}",
                  request.trace_id, route.method, route.path_template, *problem);
    auto label = response.route_label;
    response =
        http::Response::error(500, "RESPONSE_CONTRACT_VIOLATION", *problem, request.trace_id);
    response.route_label = std::move(label);
}

}  // namespace admit::runtime
