// PluginLibrary: one plugin shared library opened with Boost.DLL (RTLD_NOW | RTLD_LOCAL) and its
// validated descriptor.
//
// Ownership: the library stays mapped while any copy of `library` lives. Everything in the host
// that can run plugin code (routes, subscribers, jobs, service methods) holds a copy, so a plugin
// is never unmapped under a running callback.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "admit/abi.h"
#include "host/common/result.hpp"

namespace admit::plugins {

struct PluginLibrary {
    std::filesystem::path path;
    std::shared_ptr<boost::dll::shared_library> library;
    const admit_plugin_descriptor* descriptor = nullptr;  // static data inside `library`

    std::string name() const { return descriptor->name; }
    std::string version() const { return descriptor->version; }
    // The ABI the plugin was built against, "major.minor".
    std::string abi() const {
        return std::to_string(descriptor->abi_major) + "." + std::to_string(descriptor->abi_minor);
    }
    std::vector<std::string> dependencies() const;
    std::vector<std::string> capabilities() const;
};

// The ABI version this host implements; exposed for messages and the admin API.
struct AbiVersion {
    uint16_t major = ADMIT_ABI_MAJOR;
    uint16_t minor = ADMIT_ABI_MINOR;
};

// Opens `path` and validates the plugin it holds against `host_abi`. Refuses, with a message that
// names the file and the reason: a file that is missing or not a shared library, one without the
// entry symbol, a NULL or truncated descriptor, another ABI major, a newer minor, a missing name,
// version or lifecycle callback, an invalid name.
Result<PluginLibrary> open_plugin_library(const std::filesystem::path& path,
                                          AbiVersion host_abi = {});

// True when `name` is a valid plugin name: [a-z][a-z0-9_]{0,62}.
bool is_valid_plugin_name(std::string_view name);

}  // namespace admit::plugins
