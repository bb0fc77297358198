// AssetCatalog: the built app's files, read into memory once at start (the app is a few hundred
// kilobytes), each with its content type, a strong entity tag and its precompressed gzip twin
// (`name.gz` written by the build) when there is one.
// Why in memory: a request can only ever reach a file that was listed at start from inside the
// root, so no request path is ever joined to a filesystem path (no traversal, no symlink escape,
// no TOCTOU), and serving costs no system call.
// Immutable after load(); thread-safe to read.
#pragma once

#include <admit/sdk/result.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace admit::web {

struct Asset {
    std::string content_type;
    // Shared with responses in flight (sent without a copy).
    std::shared_ptr<const std::string> body;
    std::string etag;                         // quoted, strong: hash of `body`
    std::shared_ptr<const std::string> gzip;  // the build's precompressed bytes; null when none
    std::string gzip_etag;                    // quoted, strong: hash of `gzip` (set when gzip is)
    bool immutable = false;                   // under assets/: content-hashed names, a year
};

class AssetCatalog {
  public:
    // Every regular file under `root` (symbolic links are skipped), keyed by its path relative to
    // root with '/' separators. `x.gz` next to `x` becomes x's gzip variant, never a file of its
    // own. Errors (ADMIT_E_INVALID_ARGUMENT): root missing, no index.html, an unreadable file,
    // more than `max_total_bytes` in all.
    static sdk::Result<AssetCatalog> load(const std::filesystem::path& root,
                                          std::size_t max_total_bytes = 64u << 20);

    // The file at `relative` ("index.html", "assets/index-3f2a.js"); nullptr when not listed.
    const Asset* find(std::string_view relative) const;
    const Asset& index() const { return *find("index.html"); }
    std::size_t size() const { return assets_.size(); }

  private:
    std::map<std::string, Asset, std::less<>> assets_;
};

// "text/javascript; charset=utf-8" for "x.js", ...; application/octet-stream when unknown.
std::string content_type_for(std::string_view file_name);

// A strong entity tag for `bytes`, quoted: "\"<16 hex digits of FNV-1a 64>\"" with `suffix`
// before the closing quote ("-gz" for the gzip variant, so the two representations differ).
std::string entity_tag(std::string_view bytes, std::string_view suffix = {});

}  // namespace admit::web
