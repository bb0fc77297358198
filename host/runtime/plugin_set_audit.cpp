#include "host/runtime/plugin_set_audit.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "host/store/migrations.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/row_sinks.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::runtime {

namespace {

std::vector<store::Migration> migrations() {
    return {{1, "plugin set", R"sql(
CREATE TABLE admit.plugin_set (
    id          integer PRIMARY KEY CHECK (id = 1),
    plugins     text NOT NULL,
    host        text NOT NULL,
    recorded_at timestamptz NOT NULL
);
)sql"}};
}

// `text` as JSON; a stored text that does not parse (edited by hand) is kept as a string.
boost::json::value parsed_or_text(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    return ec ? boost::json::value(text) : value;
}

// The set as canonical JSON text: sorted by name, so the same plugins always give the same text.
std::string canonical(std::vector<LoadedPlugin> plugins) {
    std::sort(plugins.begin(), plugins.end(),
              [](const LoadedPlugin& a, const LoadedPlugin& b) { return a.name < b.name; });
    boost::json::array items;
    for (const auto& p : plugins)
        items.push_back({{"name", p.name}, {"version", p.version}, {"abi", p.abi}});
    return boost::json::serialize(items);
}

}  // namespace

Status migrate_plugin_set(store::PgPool& pool) {
    return store::apply_migrations(pool, "admit_plugin_set", "admit", migrations());
}

Result<bool> record_plugin_set(store::PgPool& pool, events::EventBus& events,
                               const std::string& host_id, std::vector<LoadedPlugin> plugins) {
    const std::string current = canonical(std::move(plugins));
    bool published = false;
    const Status status = store::run_transaction(pool, [&](pqxx::work& tx) -> Status {
        published = false;
        store::CollectingRowSink read_rows;
        // The row lock serialises instances starting together: one change, one event. The very
        // first ones (no row yet) meet at the primary key of the upsert below, which changes
        // (and so returns) a row only when the set differs from what the other wrote.
        auto read = store::execute(
            tx, "SELECT plugins FROM admit.plugin_set WHERE id = 1 FOR UPDATE", {}, &read_rows);
        if (!read) return read.error();
        const std::optional<std::string> previous =
            read_rows.rows.empty() ? std::nullopt : read_rows.rows[0][0];
        if (previous == current) return {};
        const std::optional<std::string> params[] = {current, host_id};
        store::CollectingRowSink changed;
        auto written = store::execute(
            tx,
            "INSERT INTO admit.plugin_set (id, plugins, host, recorded_at) VALUES (1, $1, $2, "
            "now()) ON CONFLICT (id) DO UPDATE SET plugins = EXCLUDED.plugins, host = "
            "EXCLUDED.host, recorded_at = EXCLUDED.recorded_at WHERE admit.plugin_set.plugins "
            "IS DISTINCT FROM EXCLUDED.plugins RETURNING 1",
            params, &changed);
        if (!written) return written.error();
        if (changed.rows.empty()) return {};
        boost::json::object payload{
            {"host", host_id}, {"plugins", parsed_or_text(current)}, {"actor", "system"}};
        payload["previous"] = previous ? parsed_or_text(*previous) : boost::json::value(nullptr);
        auto event =
            events.publish(tx, "host.plugins_changed", "plugins", boost::json::serialize(payload));
        if (!event) return event.error();
        published = true;
        return {};
    });
    if (!status) return status.error();
    return published;
}

}  // namespace admit::runtime
