// Helpers for admit_config tests: a private temporary folder to write config files into, and
// load options that do not read the real environment.
#pragma once

#include "host/config/config_loader.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace admit::config::testing {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to path()/relative, creating folders; returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& text) const;

  private:
    std::filesystem::path path_;
};

// Options for `venue_file` with no file checks and the given fake environment.
LoadOptions options_for(const std::filesystem::path& venue_file,
                        std::map<std::string, std::string> environment = {});

// The issues as text, for failure messages.
std::string issues_text(const LoadOutcome& outcome);

}  // namespace admit::config::testing
