#include "host/config/host_config.hpp"

namespace admit::config {

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::trace:
            return "trace";
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

std::string_view to_string(LogFormat format) { return format == LogFormat::json ? "json" : "text"; }

std::string_view to_string(EventsBackend backend) {
    return backend == EventsBackend::kafka ? "kafka" : "inproc";
}

std::filesystem::path PluginsConfig::library_path(std::string_view name) const {
    return dir / (std::string(name) + ".so");
}

}  // namespace admit::config
