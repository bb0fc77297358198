// The web plugin: serves the buyer's single-page app under /app, same origin as the API, and
// sends "/" there. Config ([plugin.web]): root = folder of the built app (default: the `web-app`
// folder next to web.so, where the web_app build target writes it); timezone = the venue's IANA
// zone the app shows times in (default "UTC"; plugins cannot read [venue], so the venue file
// repeats it here), served to the app as GET /app/venue.json.
#include <admit/sdk.hpp>

#include <dlfcn.h>

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "asset_catalog.hpp"
#include "static_responder.hpp"

namespace admit::web {

using admit::sdk::Host;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;

namespace {

// Client-side routes are at most this deep below /app (the router has no catch-all segment).
constexpr std::size_t kMaxDepth = 8;
constexpr std::array<std::string_view, kMaxDepth> kSegmentNames{"s1", "s2", "s3", "s4",
                                                                "s5", "s6", "s7", "s8"};

// The folder this library was loaded from (dladdr of a function of ours); empty if unknown.
std::filesystem::path library_folder() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&library_folder), &info) == 0 || info.dli_fname == nullptr)
        return {};
    return std::filesystem::path(info.dli_fname).parent_path();
}

}  // namespace

class WebPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        std::filesystem::path root = host.config_string("root", "");
        if (root.empty()) root = library_folder() / "web-app";
        auto catalog = AssetCatalog::load(root);
        if (!catalog) return std::move(catalog).error();
        host.info("web: serving ", catalog->size(), " files of ", root.string(), " under /app");
        responder_ = std::make_unique<StaticResponder>(std::move(*catalog));

        if (auto s = host.route(
                "GET", "/", "public",
                [](const Request&) {
                    return Response::text(302, "", "text/plain").header("Location", "/app");
                },
                {.summary = "Sends browsers to the web app",
                 .operation_id = "openWebApp",
                 .contract = R"({"response": {"status": 302,
                                 "description": "Location: /app", "mediaType": "text/plain"}})"});
            !s)
            return s;
        const std::string timezone = host.config_string("timezone", "UTC");
        if (timezone.empty() || timezone.size() > 64 ||
            timezone.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789/_+-") != std::string::npos)
            return sdk::Error::invalid("web: timezone must be an IANA zone name (\"Asia/Seoul\")");
        if (auto s =
                host.route("GET", "/app/venue.json", "public",
                           [timezone](const Request&) {
                               return Response::json(200, {{"timezone", timezone}})
                                   .header("Cache-Control", "no-cache");
                           },
                           {.summary = "The venue facts the web app shows times with",
                            .operation_id = "getWebAppVenue",
                            .contract = R"({"response": {"description": "the venue's time zone",
                                   "schema": {"type": "object", "required": ["timezone"],
                                     "properties": {"timezone": {"type": "string",
                                       "description": "IANA zone, e.g. Asia/Seoul"}}}}})"});
            !s)
            return s;
        std::string path = "/app";
        for (std::size_t depth = 0; depth <= kMaxDepth; ++depth) {
            if (depth > 0) path += "/{" + std::string(kSegmentNames[depth - 1]) + "}";
            // One route per depth; each its own operationId (getWebAppFile, getWebAppFile1, ...).
            std::string operation_id = "getWebAppFile";
            if (depth > 0) operation_id += std::to_string(depth);
            if (auto s = host.route(
                    "GET", path, "public", &WebPlugin::serve, this,
                    {.summary = "The web app: files, or index.html for its routes",
                     .operation_id = std::move(operation_id),
                     .contract =
                         R"({"response": {"description": "the file; assets are immutable, index.html is revalidated with its ETag and 304",
                                      "mediaType": "*/*"},
                                     "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})"});
                !s)
                return s;
        }
        return {};
    }

  private:
    Response serve(const Request& request) {
        AssetRequest asset_request;
        for (auto name : kSegmentNames) {
            auto segment = request.param(name);
            if (segment.empty()) break;
            asset_request.segments.push_back(segment);
        }
        asset_request.if_none_match = request.header("if-none-match");
        asset_request.accept_encoding = request.header("accept-encoding");
        return responder_->answer(asset_request);
    }

    std::unique_ptr<StaticResponder> responder_;
};

}  // namespace admit::web

ADMIT_PLUGIN(web, admit::web::WebPlugin, "1.0.0");
