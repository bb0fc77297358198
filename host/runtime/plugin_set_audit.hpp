// PluginSetAudit: which plugins a database's instances run is part of the audit trail. At start,
// an instance compares its plugins (name, version, ABI) with the set last recorded for the
// database and, when they differ, records its own and publishes host.plugins_changed
// {host, plugins, previous} (actor "system") in the same transaction, so the log plugin (and any
// subscriber) sees every deployment that adds, removes or upgrades a plugin. Restarts with the
// same plugins publish nothing; instances of a fleet that start together serialise on the row
// lock, so one change gives one event. A rolling upgrade gives one event per switch of the set
// the starting instance runs (old, new, old ... while both run): each is true when it happens.
//
// Not fatal: a failure is logged and the start goes on (the audit of a deployment must not keep
// the platform down).
//
// Thread-safety: call from the lifecycle thread, after the plugins loaded.
#pragma once

#include <string>
#include <vector>

#include "host/common/result.hpp"
#include "host/events/event_bus.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::runtime {

struct LoadedPlugin {
    std::string name;
    std::string version;
    std::string abi;  // "1.4"
};

// Owner "admit_plugin_set": table admit.plugin_set (one row).
Status migrate_plugin_set(store::PgPool& pool);

// Records `plugins` (in any order) as the database's set; publishes host.plugins_changed when it
// differs from the recorded one (also the first time). Returns whether it published.
Result<bool> record_plugin_set(store::PgPool& pool, events::EventBus& events,
                               const std::string& host_id, std::vector<LoadedPlugin> plugins);

}  // namespace admit::runtime
