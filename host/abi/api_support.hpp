// Helpers shared by the api_*.cpp files that implement admit_host_api.
#pragma once

#include <fmt/format.h>

#include "host/abi/runtime.hpp"
#include "host/abi/string_sink.hpp"
#include "host/plugins/plugin_record.hpp"

namespace admit::runtime::api {

inline PluginRecord& plugin_of(admit_host* host) { return *host->plugin; }
inline Runtime& runtime_of(admit_host* host) { return *host->runtime; }

// Registration functions answer ADMIT_E_STATE outside init.
inline bool check_registering(admit_host* host, admit_sink* error, std::string_view what) {
    if (host != nullptr && host->plugin->registering) return true;
    write_to(error, fmt::format("{} may only be called during init", what));
    return false;
}

// The service, or nullptr after writing "<what> is not configured" (callers answer
// ADMIT_E_UNSUPPORTED).
template <typename Service>
Service* configured(Service* service, admit_sink* error, std::string_view what) {
    if (service == nullptr) write_to(error, fmt::format("{} is not configured", what));
    return service;
}

// True, after writing "<kind> '<name>' registered twice", when a staged registration already uses
// `name` (`key` reads it from an item).
template <typename Items, typename Key>
bool registered_twice(const Items& staged, const std::string& name, Key key, std::string_view kind,
                      admit_sink* error) {
    for (const auto& item : staged) {
        if (key(item) == name) {
            write_to(error, fmt::format("{} '{}' registered twice", kind, name));
            return true;
        }
    }
    return false;
}

// Maps a host Error code to the ABI status a plugin sees.
admit_status status_from_error(const Error& error);

// Writes the error message and returns its status.
inline admit_status fail(admit_sink* error, const Error& e) {
    write_to(error, e.message);
    return status_from_error(e);
}

// The table sections, filled by api_core.cpp, api_http.cpp, api_data.cpp, api_events.cpp,
// api_outbound.cpp.
void fill_core(admit_host_api& api);
void fill_http(admit_host_api& api);
void fill_data(admit_host_api& api);
void fill_events(admit_host_api& api);
void fill_outbound(admit_host_api& api);

}  // namespace admit::runtime::api
