// Application: one admitd process from configuration to shutdown.
//
// start() brings the platform up in an order that never serves a half-started set:
//   logging -> metrics -> policies -> PostgreSQL (host migrations) -> Redis -> event bus and jobs
//   -> built-in routes -> plugins loaded and validated -> init in dependency order -> plugin
//   migrations -> event relay and jobs started -> plugins started -> HTTP listening -> traffic.
// Any failure tears down what was started, in reverse, and returns an error that names the part
// (file, plugin, migration) and the reason. stop() is the graceful path: stop accepting, finish
// in-flight requests, stop plugins in reverse order, then jobs, events and pools.
//
// Thread-safety: start/stop from one thread; reload_policies() may be called from another (the
// signal thread).
#pragma once

#include <memory>

#include "host/common/result.hpp"
#include "host/config/host_config.hpp"

namespace admit::runtime {

class Application {
  public:
    explicit Application(config::HostConfig config);
    ~Application();
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;

    Status start();
    void stop();
    // SIGHUP: re-reads every policy file.
    void reload_policies();

    // For one-shot commands (admitd call / admin create): starts data services and plugins
    // without HTTP, calls one service method, stops everything, returns its JSON output.
    Result<std::string> call_once(const std::string& method, const std::string& input);

    // Valid after start().
    uint16_t port() const;

    struct Parts;  // the owned subsystems (defined in application.cpp)

  private:
    Status start_data_services();
    Status start_outbound();
    Status start_policy_fleet();  // policy revisions in PostgreSQL, shared by the fleet
    Status start_plugins();
    // Records the loaded plugins; host.plugins_changed when they differ (plugin_set_audit.hpp).
    void audit_plugin_set();
    Status start_http();
    config::HostConfig config_;
    std::unique_ptr<Parts> parts_;
};

}  // namespace admit::runtime
