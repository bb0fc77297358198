// PluginRecord: everything the host knows about one loaded plugin, and the definition of the ABI's
// opaque `admit_host` handle that the plugin receives (one per plugin, so every host function knows
// which plugin calls it).
//
// Thread-safety: fields are written by the lifecycle thread during load/init/start/stop only;
// `state` is atomic because the admin API and /readyz read it concurrently.
#pragma once

#include <atomic>
#include <string>

#include <memory>
#include <vector>

#include "host/abi/abi_handles.hpp"
#include "host/plugins/plugin_library.hpp"
#include "host/plugins/registrations.hpp"

namespace admit::runtime {
class Runtime;
struct PluginRecord;
}  // namespace admit::runtime

struct admit_host {
    admit::runtime::Runtime* runtime = nullptr;
    admit::runtime::PluginRecord* plugin = nullptr;
};

namespace admit::runtime {

enum class PluginState { loaded, initialized, started, stopped, failed };
const char* to_string(PluginState state);

struct PluginRecord {
    plugins::PluginLibrary library;
    std::string name;
    std::string config_json = "{}";
    void* instance = nullptr;
    // True from a successful init until destroy: the plugin's instance exists.
    bool alive = false;
    std::atomic<PluginState> state{PluginState::loaded};
    std::string last_error;
    // True only while init runs: the [init] registration functions check it.
    std::atomic<bool> registering{false};
    Registrations staged;
    // Handles returned by metric_register; valid as long as this record.
    std::vector<std::unique_ptr<admit_metric>> metrics;
    admit_host handle;
};

}  // namespace admit::runtime
