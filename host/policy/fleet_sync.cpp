#include "host/policy/fleet_sync.hpp"

#include "host/policy/policy_engine.hpp"
#include "host/policy/revision_schema.hpp"
#include "host/policy/revision_store.hpp"
#include "host/policy/source_diff.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <array>
#include <memory>

namespace admit::policy {
namespace {

class NotificationFlag : public pqxx::notification_receiver {
  public:
    NotificationFlag(pqxx::connection_base& conn, bool& heard)
        : pqxx::notification_receiver(conn, kPolicyChannel), heard_(heard) {}
    void operator()(const std::string&, int) override { heard_ = true; }

  private:
    bool& heard_;
};

std::string report_json(const PublishReport& report) {
    boost::json::object o{{"result", to_string(report.result)},
                          {"testsRun", report.tests_run},
                          {"testsPassed", report.tests_passed}};
    return boost::json::serialize(o);
}

}  // namespace

FleetSync::FleetSync(PolicyEngine& engine, RevisionStore& store, FleetSyncOptions options)
    : engine_(engine), store_(store), options_(std::move(options)) {}

FleetSync::~FleetSync() { stop(); }

std::string FleetSync::default_host_id() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) name[0] = '\0';
    return std::string(name.data()) + ":" + std::to_string(::getpid());
}

std::chrono::seconds FleetSync::report_freshness() const {
    const auto polls = std::chrono::duration_cast<std::chrono::seconds>(options_.poll * 3);
    return std::max<std::chrono::seconds>(polls, std::chrono::seconds(60));
}

Status FleetSync::seed() {
    for (const auto& [name, compiled] : engine_.live()) {
        RevisionRecord record;
        record.policy = name;
        record.revision = compiled->revision;
        record.source = compiled->source;
        record.tests = compiled->test_source;
        record.author = "startup";
        record.comment = "imported from " + compiled->source_path.filename().string();
        PublishReport tested;
        tested.result = PublishResult::published;
        for (const auto& report : engine_.history(name)) {
            if (report.revision == compiled->revision) tested = report;
        }
        record.report_json = report_json(tested);
        auto imported = store_.import_seed(
            record, AuditNote{"startup", diff_summary({}, record.source, {}, record.tests)});
        if (!imported) return imported.error();
        if (imported.value()) {
            spdlog::info("policy {}: file revision {} imported and live for the fleet", name,
                         record.revision);
        }
    }
    return sync_now();
}

Status FleetSync::sync_now() {
    std::lock_guard lock(sync_mutex_);
    auto stored = store_.live_all();
    if (!stored) return stored.error();
    auto served = engine_.live();
    for (const auto& record : stored.value()) {
        auto current = served.find(record.policy);
        if (current != served.end() && current->second->revision == record.revision) continue;
        auto installed =
            engine_.install(record.policy, record.source, record.tests, "fleet:" + record.author);
        if (!installed) {
            spdlog::error("policy {}: live revision {} cannot be served on this host: {}",
                          record.policy, record.revision, installed.error().message);
        }
    }
    boost::json::object revisions;
    for (const auto& [name, compiled] : engine_.live()) revisions[name] = compiled->revision;
    return store_.report_serving(options_.host_id, boost::json::serialize(revisions));
}

Status FleetSync::start() {
    std::lock_guard lock(stop_mutex_);
    if (thread_.joinable()) return {};
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return {};
}

void FleetSync::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    stop_signal_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool FleetSync::wait_or_stop(std::chrono::milliseconds pause) {
    std::unique_lock lock(stop_mutex_);
    return stop_signal_.wait_for(lock, pause, [this] { return stopping_; });
}

void FleetSync::run() {
    using clock = std::chrono::steady_clock;
    std::unique_ptr<pqxx::connection> conn;
    std::unique_ptr<NotificationFlag> receiver;
    bool heard = false;
    auto next_poll = clock::now() + options_.poll;
    while (!wait_or_stop(std::chrono::milliseconds(0))) {
        try {
            if (!conn) {
                conn = std::make_unique<pqxx::connection>(options_.pg_url);
                receiver = std::make_unique<NotificationFlag>(*conn, heard);
                heard = true;  // changes made while we were not listening
            }
            conn->await_notification(0, 200'000);
            if (heard || clock::now() >= next_poll) {
                heard = false;
                next_poll = clock::now() + options_.poll;
                if (auto s = sync_now(); !s) {
                    spdlog::warn("policy sync: {}", s.error().message);
                }
            }
        } catch (const std::exception& e) {
            spdlog::warn("policy sync: lost the notification connection ({}); retrying", e.what());
            receiver.reset();
            conn.reset();
            if (wait_or_stop(std::chrono::milliseconds(500))) break;
        }
    }
    receiver.reset();
    conn.reset();
}

}  // namespace admit::policy
