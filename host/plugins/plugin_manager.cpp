#include "host/plugins/plugin_manager.hpp"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "host/abi/string_sink.hpp"
#include "host/plugins/load_order.hpp"
#include "host/plugins/required_providers.hpp"

namespace admit::runtime {

namespace {

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

}  // namespace

const char* to_string(PluginState state) {
    switch (state) {
        case PluginState::loaded:
            return "LOADED";
        case PluginState::initialized:
            return "INITIALIZED";
        case PluginState::started:
            return "STARTED";
        case PluginState::stopped:
            return "STOPPED";
        case PluginState::failed:
            return "FAILED";
    }
    return "UNKNOWN";
}

PluginManager::PluginManager(Runtime& runtime, const admit_host_api& api, RegistrationSink& sink)
    : runtime_(runtime), api_(api), sink_(sink) {}

PluginManager::~PluginManager() { destroy_all(); }

Status PluginManager::load(const PluginLoadRequest& request) {
    if (auto s = plugins::check_required_providers(request.names, request.required_providers); !s)
        return s;
    std::vector<plugins::PluginLibrary> libraries;
    std::vector<std::string> problems;
    for (const auto& name : request.names) {
        auto path = request.dir / (name + ".so");
        auto lib = plugins::open_plugin_library(path);
        if (!lib) {
            problems.push_back(lib.error().message);
            continue;
        }
        if (lib->name() != name) {
            problems.push_back(
                fmt::format("plugin {}: declares the name '{}' but is listed as '{}'",
                            path.string(), lib->name(), name));
            continue;
        }
        libraries.push_back(std::move(lib.value()));
    }
    if (!problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
        return Error{ErrorCode::PLUGIN_REFUSED, all};
    }

    std::vector<plugins::PluginNode> nodes;
    for (const auto& lib : libraries) {
        nodes.push_back({lib.name(), lib.path.string(), lib.dependencies()});
    }
    auto order = plugins::resolve_start_order(nodes);
    if (!order) return order.error();

    for (std::size_t i : order.value()) {
        auto record = std::make_unique<PluginRecord>();
        record->library = libraries[i];
        record->name = libraries[i].name();
        if (auto it = request.config_json.find(record->name); it != request.config_json.end()) {
            record->config_json = it->second;
        }
        record->handle.runtime = &runtime_;
        record->handle.plugin = record.get();
        plugins_.push_back(std::move(record));
    }
    return {};
}

Status PluginManager::init_one(PluginRecord& plugin) {
    const auto* d = plugin.library.descriptor;
    std::string error;
    StringSink sink(error);
    plugin.registering = true;
    admit_status status = d->init(&api_, &plugin.handle, &plugin.instance, sink.get());
    plugin.registering = false;
    if (status != ADMIT_OK) {
        return Error{ErrorCode::PLUGIN_INIT_FAILED,
                     fmt::format("plugin {} failed to initialize (status {}): {}", plugin.name,
                                 status, error.empty() ? "no reason given" : error)};
    }
    if (auto valid = sink_.validate(plugin); !valid) {
        return Error{ErrorCode::PLUGIN_INIT_FAILED,
                     fmt::format("plugin {} registered something that clashes: "
                                 "{}",
                                 plugin.name, valid.error().message)};
    }
    if (auto committed = sink_.commit(plugin); !committed) {
        return Error{ErrorCode::PLUGIN_INIT_FAILED,
                     fmt::format("plugin {} could not register: {}", plugin.name,
                                 committed.error().message)};
    }
    return {};
}

Status PluginManager::init_all() {
    for (auto& plugin : plugins_) {
        const auto began = std::chrono::steady_clock::now();
        auto result = init_one(*plugin);
        if (!result) {
            // Rollback: the failed plugin's staged registrations are dropped with it.
            plugin->staged = Registrations{};
            plugin->state = PluginState::failed;
            plugin->last_error = result.error().message;
            spdlog::error("{}", result.error().message);
            plugin->library.descriptor->destroy(plugin->instance);
            plugin->instance = nullptr;
            destroy_all();
            return result;
        }
        plugin->state = PluginState::initialized;
        plugin->alive = true;
        spdlog::info("plugin {} {} initialized in {} ms", plugin->name, plugin->library.version(),
                     elapsed_ms(began));
    }
    return {};
}

Status PluginManager::start_all() {
    for (std::size_t i = 0; i < plugins_.size(); ++i) {
        auto& plugin = *plugins_[i];
        std::string error;
        StringSink sink(error);
        const auto began = std::chrono::steady_clock::now();
        admit_status status = plugin.library.descriptor->start(plugin.instance, sink.get());
        if (status != ADMIT_OK) {
            plugin.state = PluginState::failed;
            plugin.last_error = error;
            auto message = fmt::format("plugin {} failed to start (status {}): {}", plugin.name,
                                       status, error.empty() ? "no reason given" : error);
            spdlog::error("{}", message);
            for (std::size_t j = i; j-- > 0;) {
                plugins_[j]->library.descriptor->stop(plugins_[j]->instance);
                plugins_[j]->state = PluginState::stopped;
            }
            return Error{ErrorCode::PLUGIN_START_FAILED, message};
        }
        plugin.state = PluginState::started;
        spdlog::info("plugin {} started in {} ms", plugin.name, elapsed_ms(began));
    }
    return {};
}

void PluginManager::stop_all() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
        auto& plugin = **it;
        if (plugin.state != PluginState::started) continue;
        plugin.library.descriptor->stop(plugin.instance);
        plugin.state = PluginState::stopped;
        spdlog::info("plugin {} stopped", plugin.name);
    }
}

void PluginManager::destroy_all() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
        auto& plugin = **it;
        if (!plugin.alive) continue;
        if (plugin.state == PluginState::started) {
            plugin.library.descriptor->stop(plugin.instance);
            plugin.state = PluginState::stopped;
        }
        plugin.library.descriptor->destroy(plugin.instance);
        plugin.instance = nullptr;
        plugin.alive = false;
    }
}

bool PluginManager::all_started() const {
    for (const auto& p : plugins_) {
        if (p->state != PluginState::started) return false;
    }
    return !plugins_.empty();
}

}  // namespace admit::runtime
