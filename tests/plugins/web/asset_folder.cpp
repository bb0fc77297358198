#include "asset_folder.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

namespace admit::web::testing {

AssetFolder::AssetFolder() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("admit-web-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(root_);
    write("index.html", kIndex);
    write("assets/index-3f2a.js", kBundle);
    write("assets/index-3f2a.js.gz", bundle_gzip());
    write("favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
}

AssetFolder::~AssetFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

void AssetFolder::write(const std::string& relative, const std::string& bytes) const {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

const std::string& AssetFolder::bundle_gzip() {
    static const std::string bytes(
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x4b\xce\xcf\x2b\xce\xcf\x49\xd5\xcb\xc9\x4f\xd7"
        "\x50\x4f\x4c\xc9\xcd\x2c\x51\xd7\xb4\xe6\x02\x00\x58\xf3\xef\x82\x16\x00\x00\x00",
        42);
    return bytes;
}

}  // namespace admit::web::testing
