// PluginManager: loads the plugin set a venue names and runs their lifecycle.
//
// Contract:
//  - load() opens and validates every library and the dependency graph before any plugin code
//    beyond the entry symbol runs. Any refusal refuses the whole set (nothing half-loaded).
//  - init_all() calls init in dependency order. A plugin's registrations become live only after
//    its init returned OK and the sink accepted them; otherwise they are dropped, the plugin is
//    destroyed, the ones already initialized are destroyed in reverse, and the error names the
//    plugin and its reason.
//  - start_all() starts in dependency order (a failure stops the started ones in reverse);
//    stop_all() stops in reverse; destroy_all() destroys in reverse. Each runs at most once per
//    plugin. Not thread-safe: call from one lifecycle thread. plugins() may be read concurrently
//    once loading is done (the vector does not change afterwards).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/common/result.hpp"
#include "host/plugins/plugin_record.hpp"
#include "host/plugins/registration_sink.hpp"

namespace admit::runtime {

struct PluginLoadRequest {
    std::filesystem::path dir;
    std::vector<std::string> names;
    std::map<std::string, std::string> config_json;  // per plugin; absent means "{}"
    // [plugins.requires]: checked before anything loads (required_providers.hpp).
    std::map<std::string, std::vector<std::string>> required_providers;
};

class PluginManager {
  public:
    PluginManager(Runtime& runtime, const admit_host_api& api, RegistrationSink& sink);
    ~PluginManager();

    Status load(const PluginLoadRequest& request);
    Status init_all();
    Status start_all();
    void stop_all();
    void destroy_all();

    // In start order.
    const std::vector<std::unique_ptr<PluginRecord>>& plugins() const { return plugins_; }
    bool all_started() const;

  private:
    Status init_one(PluginRecord& plugin);
    Runtime& runtime_;
    const admit_host_api& api_;
    RegistrationSink& sink_;
    std::vector<std::unique_ptr<PluginRecord>> plugins_;
};

}  // namespace admit::runtime
