// The Plugin base class and ADMIT_PLUGIN, which turns a Plugin subclass into a loadable library.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/host.hpp>
#include <admit/sdk/migrations.hpp>
#include <admit/sdk/result.hpp>

#include <iterator>
#include <memory>
#include <string>
#include <type_traits>

namespace admit::sdk {

/// Base of every plugin. The SDK default-constructs the subclass inside the host's init call
/// (so constructors may do work safely) and calls the members in this order: init, start, stop,
/// then destroys it. Exceptions thrown by any of them become error statuses (the exception
/// barrier).
class Plugin {
  public:
    virtual ~Plugin() = default;

    /// Registers routes, services, subscribers, jobs, metrics, migrations. `host` outlives the
    /// plugin.
    virtual Status init(Host& host) = 0;
    /// After every plugin's init and the migrations; traffic follows once all plugins started.
    virtual Status start() { return {}; }
    /// After traffic stopped, in reverse dependency order.
    virtual void stop() {}
    /// ok when healthy; `detail` gets a short text either way.
    virtual Status health(std::string& detail) {
        (void)detail;
        return {};
    }
};

namespace detail {

/// What ADMIT_PLUGIN knows about the plugin at compile time.
struct PluginInfo {
    const char* name;
    const EmbeddedMigrations* (*migrations)() noexcept;
};

/// The descriptor callbacks of plugin class P: each one runs behind the exception barrier.
template <class P, const PluginInfo& Info>
struct PluginAdapter {
    static_assert(std::is_base_of_v<Plugin, P>,
                  "ADMIT_PLUGIN: the class must derive from admit::sdk::Plugin");
    static_assert(std::is_default_constructible_v<P>,
                  "ADMIT_PLUGIN: the class must be default-constructible");

    struct Instance {
        Instance(const admit_host_api* api, admit_host* raw_host)
            : host(api, raw_host, Info.name,
                   Info.migrations != nullptr ? Info.migrations() : nullptr) {}
        Host host;  // declared first: outlives the plugin
        std::unique_ptr<P> plugin;
    };

    static Instance* self(void* instance) noexcept { return static_cast<Instance*>(instance); }

    static admit_status init(const admit_host_api* api, admit_host* host, void** instance,
                             admit_sink* error) noexcept {
        if (instance == nullptr) return ADMIT_E_INVALID_ARGUMENT;
        *instance = nullptr;
        if (api == nullptr || api->abi_major != ADMIT_ABI_MAJOR) {
            write_to(error, "host ABI major differs from the plugin's");
            return ADMIT_E_UNSUPPORTED;
        }
        return barrier(error, [&]() -> admit_status {
            auto owned = std::make_unique<Instance>(api, host);
            Instance* raw = owned.get();
            *instance = owned.release();  // from here on destroy frees it, whatever init returns
            raw->plugin = std::make_unique<P>();
            return report(raw->plugin->init(raw->host), error);
        });
    }

    static admit_status start(void* instance, admit_sink* error) noexcept {
        if (instance == nullptr || !self(instance)->plugin) return ADMIT_E_STATE;
        return barrier(error, [&]() -> admit_status {
            return report(self(instance)->plugin->start(), error);
        });
    }

    static void stop(void* instance) noexcept {
        if (instance == nullptr || !self(instance)->plugin) return;
        StringSink error;
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            self(instance)->plugin->stop();
            return ADMIT_OK;
        });
        if (status != ADMIT_OK)
            log_failure(self(instance)->host.handle(), "stop threw", error.text());
    }

    static void destroy(void* instance) noexcept {
        if (instance == nullptr) return;
        StringSink error;
        const HostHandle handle = self(instance)->host.handle();
        const admit_status status = barrier(error.get(), [&]() -> admit_status {
            self(instance)->plugin.reset();
            return ADMIT_OK;
        });
        if (status != ADMIT_OK) log_failure(handle, "plugin destructor threw", error.text());
        delete self(instance);
    }

    static admit_status health(void* instance, admit_sink* detail) noexcept {
        if (instance == nullptr || !self(instance)->plugin) return ADMIT_E_STATE;
        return barrier(detail, [&]() -> admit_status {
            std::string text;
            Status status = self(instance)->plugin->health(text);
            if (!status.ok() && text.empty()) text = status.message();
            write_to(detail, text);
            return status.status();
        });
    }
};

template <class P, const PluginInfo& Info>
constexpr admit_plugin_descriptor make_descriptor(const char* version,
                                                  const char* const* dependencies,
                                                  uint32_t dependency_count,
                                                  const char* const* capabilities,
                                                  uint32_t capability_count) noexcept {
    using Adapter = PluginAdapter<P, Info>;
    return admit_plugin_descriptor{sizeof(admit_plugin_descriptor),
                                   ADMIT_ABI_MAJOR,
                                   ADMIT_TARGET_MINOR,
                                   Info.name,
                                   version,
                                   dependencies,
                                   dependency_count,
                                   capabilities,
                                   capability_count,
                                   &Adapter::init,
                                   &Adapter::start,
                                   &Adapter::stop,
                                   &Adapter::destroy,
                                   &Adapter::health};
}

}  // namespace detail
}  // namespace admit::sdk

/// ADMIT_PLUGIN(name, Class, "version" [, ADMIT_DEPENDS("a", ...) [, ADMIT_CAPABILITIES("x",
/// ...)]])
///
/// Use once per plugin library, at global namespace scope, in one .cpp file. `name` is the plugin
/// name as a bare identifier ([a-z][a-z0-9_]*, also its schema name). Defines, all
/// constant-initialized (no static initializer does work):
///   - the static admit_plugin_descriptor;
///   - `admit_plugin_descriptor_<name>()`, hidden, for tests linking the plugin into a test binary
///     (declare it there with ADMIT_DECLARE_PLUGIN(name));
///   - `admit_plugin_entry`, the library's only exported symbol.
/// Examples:
///   ADMIT_PLUGIN(hello, hello::HelloPlugin, "1.0.0");
///   ADMIT_PLUGIN(reservation, res::Plugin, "0.3.0", ADMIT_DEPENDS("auth", "product"));
///   ADMIT_PLUGIN(auth, auth::Plugin, "1.1.0", ADMIT_DEPENDS(),
///   ADMIT_CAPABILITIES("authenticator"));
#define ADMIT_PLUGIN(name, Class, version, ...)                                       \
    ADMIT_PLUGIN_DESCRIPTOR(name, Class, version __VA_OPT__(, ) __VA_ARGS__);         \
    extern "C" ADMIT_EXPORT const admit_plugin_descriptor* admit_plugin_entry(void) { \
        return admit_plugin_descriptor_##name();                                      \
    }                                                                                 \
    static_assert(true, "ADMIT_PLUGIN ends here")

/// Like ADMIT_PLUGIN without the exported entry: for several plugins in one binary (tests).
#define ADMIT_PLUGIN_DESCRIPTOR(name, Class, version, ...) \
    ADMIT_DETAIL_PLUGIN(name, Class, version, __VA_ARGS__ __VA_OPT__(, )(), ())

#define ADMIT_DEPENDS(...) (__VA_ARGS__)
#define ADMIT_CAPABILITIES(...) (__VA_ARGS__)
/// Declares the descriptor accessor of a plugin linked into the same binary (tests).
#define ADMIT_DECLARE_PLUGIN(name) \
    extern "C" const admit_plugin_descriptor* admit_plugin_descriptor_##name(void)

#define ADMIT_DETAIL_STRING_LIST(...) \
    { __VA_ARGS__ __VA_OPT__(, ) nullptr }

#define ADMIT_DETAIL_PLUGIN(name, Class, version, depends, capabilities, ...)                    \
    __attribute__((weak, visibility("hidden")))                                                  \
    const ::admit::sdk::EmbeddedMigrations* admit_plugin_migrations_##name() noexcept;           \
    namespace {                                                                                  \
    const ::admit::sdk::EmbeddedMigrations* admit_detail_migrations_##name() noexcept {          \
        return &admit_plugin_migrations_##name != nullptr ? admit_plugin_migrations_##name()     \
                                                          : nullptr;                             \
    }                                                                                            \
    constexpr const char* admit_detail_dependencies_##name[] = ADMIT_DETAIL_STRING_LIST depends; \
    constexpr const char* admit_detail_capabilities_##name[] =                                   \
        ADMIT_DETAIL_STRING_LIST capabilities;                                                   \
    constexpr ::admit::sdk::detail::PluginInfo admit_detail_info_##name{                         \
        #name, &admit_detail_migrations_##name};                                                 \
    constinit const admit_plugin_descriptor admit_detail_descriptor_##name =                     \
        ::admit::sdk::detail::make_descriptor<Class, admit_detail_info_##name>(                  \
            version, admit_detail_dependencies_##name,                                           \
            static_cast<uint32_t>(std::size(admit_detail_dependencies_##name) - 1),              \
            admit_detail_capabilities_##name,                                                    \
            static_cast<uint32_t>(std::size(admit_detail_capabilities_##name) - 1));             \
    }                                                                                            \
    extern "C" const admit_plugin_descriptor* admit_plugin_descriptor_##name(void) {             \
        return &admit_detail_descriptor_##name;                                                  \
    }                                                                                            \
    static_assert(true, "ADMIT_PLUGIN_DESCRIPTOR ends here")
