#include "asset_catalog.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

namespace admit::web {
namespace {

namespace fs = std::filesystem;

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return bytes;
}

}  // namespace

std::string content_type_for(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".map", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
    }};
    for (const auto& [extension, type] : types) {
        if (ends_with(name, extension)) return std::string(type);
    }
    return "application/octet-stream";
}

std::string entity_tag(std::string_view bytes, std::string_view suffix) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string tag = "\"";
    for (int shift = 60; shift >= 0; shift -= 4) tag += digits[(hash >> shift) & 0xf];
    tag.append(suffix);
    tag += '"';
    return tag;
}

sdk::Result<AssetCatalog> AssetCatalog::load(const fs::path& root, std::size_t max_total_bytes) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        return sdk::Error::invalid("web: app folder '" + root.string() +
                                   "' does not exist (build the app: the web_app target)");
    }
    std::vector<std::pair<std::string, fs::path>> files;
    std::vector<std::pair<std::string, fs::path>> gzipped;
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto status = it->symlink_status(ec);
        if (ec || !fs::is_regular_file(status)) continue;  // directories, links, sockets
        std::string relative = it->path().lexically_relative(root).generic_string();
        if (ends_with(relative, ".gz")) {
            gzipped.emplace_back(relative.substr(0, relative.size() - 3), it->path());
        } else {
            files.emplace_back(std::move(relative), it->path());
        }
    }
    if (ec) return sdk::Error::invalid("web: cannot list '" + root.string() + "': " + ec.message());

    AssetCatalog catalog;
    std::size_t total = 0;
    auto account = [&](const std::string& bytes, const fs::path& path) -> sdk::Status {
        total += bytes.size();
        if (total > max_total_bytes) {
            return sdk::Error::invalid("web: app folder exceeds " +
                                       std::to_string(max_total_bytes) + " bytes at '" +
                                       path.string() + "'");
        }
        return {};
    };
    for (auto& [relative, path] : files) {
        auto bytes = read_file(path);
        if (!bytes) return sdk::Error::invalid("web: cannot read '" + path.string() + "'");
        if (auto s = account(*bytes, path); !s) return std::move(s).error();
        Asset asset;
        asset.content_type = content_type_for(relative);
        asset.etag = entity_tag(*bytes);
        asset.body = std::make_shared<const std::string>(std::move(*bytes));
        asset.immutable = relative.starts_with("assets/");
        catalog.assets_.emplace(relative, std::move(asset));
    }
    for (auto& [relative, path] : gzipped) {
        auto found = catalog.assets_.find(relative);
        if (found == catalog.assets_.end()) continue;  // a .gz without its original: not served
        auto bytes = read_file(path);
        if (!bytes) return sdk::Error::invalid("web: cannot read '" + path.string() + "'");
        if (auto s = account(*bytes, path); !s) return std::move(s).error();
        found->second.gzip_etag = entity_tag(*bytes, "-gz");
        found->second.gzip = std::make_shared<const std::string>(std::move(*bytes));
    }
    if (catalog.find("index.html") == nullptr) {
        return sdk::Error::invalid("web: app folder '" + root.string() + "' has no index.html");
    }
    return catalog;
}

const Asset* AssetCatalog::find(std::string_view relative) const {
    auto found = assets_.find(relative);
    return found == assets_.end() ? nullptr : &found->second;
}

}  // namespace admit::web
