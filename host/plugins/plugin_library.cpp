#include "host/plugins/plugin_library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

#include <boost/dll/shared_library_load_mode.hpp>

namespace admit::plugins {
namespace {

Error refuse(const std::filesystem::path& path, const std::string& reason) {
    return Error{ErrorCode::PLUGIN_REFUSED, fmt::format("plugin {}: {}", path.string(), reason)};
}

std::vector<std::string> copy_names(const char* const* names, uint32_t count) {
    std::vector<std::string> out;
    for (uint32_t i = 0; names != nullptr && i < count; ++i) {
        if (names[i] != nullptr) out.emplace_back(names[i]);
    }
    return out;
}

}  // namespace

bool is_valid_plugin_name(std::string_view name) {
    if (name.empty() || name.size() > 63 || name[0] < 'a' || name[0] > 'z') return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::vector<std::string> PluginLibrary::dependencies() const {
    return copy_names(descriptor->dependencies, descriptor->dependency_count);
}

std::vector<std::string> PluginLibrary::capabilities() const {
    return copy_names(descriptor->capabilities, descriptor->capability_count);
}

Result<PluginLibrary> open_plugin_library(const std::filesystem::path& path, AbiVersion host_abi) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return refuse(path, "file not found");
    }
    // Whoever may write the library or replace it in its folder runs code as admitd.
    for (const auto& guarded : {path, path.parent_path()}) {
        const auto perms = std::filesystem::status(guarded, ec).permissions();
        if (ec) continue;
        using std::filesystem::perms;
        if ((perms & (perms::group_write | perms::others_write)) != perms::none) {
            return refuse(
                path, fmt::format("{} is group- or world-writable, so another account "
                                  "could put its own code into admitd; fix: chmod "
                                  "go-w '{}'",
                                  guarded == path ? "the file" : "its folder", guarded.string()));
        }
    }

    auto library = std::make_shared<boost::dll::shared_library>();
    try {
        library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception&) {
        // Boost's message is generic; dlerror() still holds the loader's own reason.
        const char* why = dlerror();
        return refuse(path, fmt::format("not a loadable shared library ({})",
                                        why != nullptr ? why : "unknown reason"));
    }

    if (!library->has(ADMIT_PLUGIN_ENTRY_SYMBOL)) {
        return refuse(path,
                      fmt::format("no exported entry symbol '{}' (was it built with the SDK's "
                                  "ADMIT_PLUGIN macro?)",
                                  ADMIT_PLUGIN_ENTRY_SYMBOL));
    }
    auto& entry = library->get<const admit_plugin_descriptor*()>(ADMIT_PLUGIN_ENTRY_SYMBOL);
    const admit_plugin_descriptor* d = entry();
    if (d == nullptr) return refuse(path, "entry symbol returned no descriptor");
    if (d->size < offsetof(admit_plugin_descriptor, health)) {
        return refuse(path, fmt::format("descriptor too small ({} bytes)", d->size));
    }
    if (d->abi_major != host_abi.major) {
        return refuse(path,
                      fmt::format("built for ABI {}.{}, this host speaks ABI {}.{} (majors "
                                  "must be equal)",
                                  d->abi_major, d->abi_minor, host_abi.major, host_abi.minor));
    }
    if (d->abi_minor > host_abi.minor) {
        return refuse(path,
                      fmt::format("built for ABI {}.{}, newer than this host's {}.{}; "
                                  "upgrade admitd",
                                  d->abi_major, d->abi_minor, host_abi.major, host_abi.minor));
    }
    if (d->name == nullptr || !is_valid_plugin_name(d->name)) {
        return refuse(path, "invalid plugin name (want [a-z][a-z0-9_]*)");
    }
    if (d->version == nullptr || d->version[0] == '\0') return refuse(path, "missing version");
    if (d->init == nullptr || d->start == nullptr || d->stop == nullptr || d->destroy == nullptr) {
        return refuse(path, "descriptor lacks a lifecycle callback (init/start/stop/destroy)");
    }
    if (d->dependency_count > 0 && d->dependencies == nullptr) {
        return refuse(path, "dependency_count set but no dependency list");
    }
    return PluginLibrary{path, std::move(library), d};
}

}  // namespace admit::plugins
