// A built app's folder for tests: index.html, a hashed bundle with its gzip twin, a favicon, under
// a fresh temporary directory that the destructor removes.
#pragma once

#include <filesystem>
#include <string>

namespace admit::web::testing {

class AssetFolder {
  public:
    AssetFolder();
    ~AssetFolder();
    AssetFolder(const AssetFolder&) = delete;
    AssetFolder& operator=(const AssetFolder&) = delete;

    const std::filesystem::path& root() const { return root_; }
    // Writes `bytes` at `relative` (creating folders).
    void write(const std::string& relative, const std::string& bytes) const;

    static constexpr const char* kIndex =
        "<!doctype html><html><head><script type=\"module\" src=\"/app/assets/index-3f2a.js\">"
        "</script></head><body><div id=\"app\"></div></body></html>";
    static constexpr const char* kBundle = "console.log('admit');\n";
    static const std::string& bundle_gzip();  // kBundle gzipped (bytes as `gzip -9` writes them)

  private:
    std::filesystem::path root_;
};

}  // namespace admit::web::testing
