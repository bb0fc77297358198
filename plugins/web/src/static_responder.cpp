#include "static_responder.hpp"

namespace admit::web {
namespace {

sdk::Response with_security_headers(sdk::Response response) {
    response.header("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.header("X-Content-Type-Options", "nosniff");
    response.header("Referrer-Policy", "same-origin");
    return response;
}

}  // namespace

bool is_safe_segment(std::string_view segment) {
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (unsigned char c : segment) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '%') return false;
    }
    return true;
}

sdk::Response StaticResponder::answer(const AssetRequest& request) const {
    std::string relative;
    for (auto segment : request.segments) {
        if (!is_safe_segment(segment)) {
            return with_security_headers(sdk::Response::invalid_request(
                "path: dot segments, backslashes and percent-encoding are not served"));
        }
        if (!relative.empty()) relative += '/';
        relative.append(segment);
    }
    if (relative.empty()) return send(catalog_.index(), request);
    if (const Asset* asset = catalog_.find(relative)) return send(*asset, request);
    if (request.segments.front() == "assets") {
        return with_security_headers(
            sdk::Response::error(404, "NOT_FOUND", "no such file in the app: " + relative));
    }
    return send(catalog_.index(), request);  // a client-side route
}

sdk::Response StaticResponder::send(const Asset& asset, const AssetRequest& request) const {
    const bool gzip = asset.gzip && accepts_gzip(request.accept_encoding);
    const std::string& etag = gzip ? asset.gzip_etag : asset.etag;
    sdk::Response response;
    if (etag_matches(request.if_none_match, etag)) {
        response.status = 304;
    } else {
        response.status = 200;
        response.shared_body = gzip ? asset.gzip : asset.body;
        response.content_type = asset.content_type;
        if (gzip) response.header("Content-Encoding", "gzip");
    }
    response.header("ETag", etag);
    response.header("Cache-Control",
                    asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (asset.gzip) response.header("Vary", "Accept-Encoding");
    return with_security_headers(std::move(response));
}

}  // namespace admit::web
