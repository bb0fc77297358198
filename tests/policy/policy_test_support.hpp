// Helpers for policy tests: a scratch policy directory and small policy sources.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <stdlib.h>

namespace admit::policy::testing {

// A fresh directory under /tmp, removed with its contents on destruction.
class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "admit-policy-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

    void write(const std::string& file, const std::string& content) const {
        const auto temporary = path_ / ("." + file + ".writing");
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            out << content;
        }
        std::filesystem::rename(temporary, path_ / file);
    }

  private:
    std::filesystem::path path_;
};

// A valid policy answering { version = <version> } with fallback { version = -1 }.
inline std::string versioned_policy(int version) {
    return "fallback = { version = -1 }\n"
           "function decide(input)\n"
           "  return { version = " +
           std::to_string(version) +
           ", echo = input.x }\n"
           "end\n";
}

}  // namespace admit::policy::testing
