#include "host/pipeline/cors_policy.hpp"

#include <algorithm>
#include <utility>

namespace admit::runtime {
namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}

// Adds Origin to the response's Vary header, keeping what the handler put there.
void add_vary_origin(http::Response& response) {
    auto vary = response.header("Vary");
    if (!vary) {
        response.set_header("Vary", "Origin");
    } else if (vary->find("Origin") == std::string_view::npos) {
        response.set_header("Vary", std::string(*vary) + ", Origin");
    }
}

}  // namespace

CorsPolicy::CorsPolicy(CorsRules rules)
    : rules_(std::move(rules)),
      allowed_headers_text_(joined(rules_.allowed_headers)),
      exposed_headers_text_(joined(rules_.exposed_headers)) {}

bool CorsPolicy::allows(std::string_view origin) const {
    return std::find(rules_.allowed_origins.begin(), rules_.allowed_origins.end(), origin) !=
           rules_.allowed_origins.end();
}

http::Response CorsPolicy::answer_options(const http::Request& request,
                                          std::string_view allow) const {
    std::string methods = std::string(allow) + ", OPTIONS";
    auto origin = request.header("origin");
    bool preflight = origin && request.header("access-control-request-method");
    if (!preflight || !enabled()) {
        http::Response response;
        response.status = 204;
        response.set_header("Allow", methods);
        if (enabled()) response.set_header("Vary", "Origin");
        return response;
    }
    if (!allows(*origin)) {
        auto response = http::Response::error(
            403, "FORBIDDEN", "origin '" + std::string(*origin) + "' may not call this API",
            request.trace_id);
        response.set_header("Vary", "Origin");
        return response;
    }
    http::Response response;
    response.status = 204;
    response.set_header("Allow", methods);
    response.set_header("Access-Control-Allow-Origin", *origin);
    response.set_header("Access-Control-Allow-Credentials", "true");
    response.set_header("Access-Control-Allow-Methods", methods);
    response.set_header("Access-Control-Allow-Headers", allowed_headers_text_);
    response.set_header("Access-Control-Max-Age", std::to_string(rules_.max_age_seconds));
    response.set_header("Vary", "Origin");
    return response;
}

void CorsPolicy::decorate(const http::Request& request, http::Response& response) const {
    if (!enabled()) return;
    add_vary_origin(response);
    auto origin = request.header("origin");
    if (!origin || !allows(*origin)) return;
    response.set_header("Access-Control-Allow-Origin", *origin);
    response.set_header("Access-Control-Allow-Credentials", "true");
    if (!exposed_headers_text_.empty())
        response.set_header("Access-Control-Expose-Headers", exposed_headers_text_);
}

}  // namespace admit::runtime
