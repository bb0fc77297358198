// FleetSync: makes this host serve the live revisions stored in PostgreSQL, as every other host
// on the same database does.
//
// - seed(): at startup, the policy files are the seed: each file revision that loaded and that
//   its policy has never had is imported as a new revision and made live (actor "startup"); a
//   file whose revision the database already knows (also an older one) is not re-imported, so a
//   revision staff published through the API survives a restart of any host. Then sync_now().
// - sync_now(): installs every live revision this host does not serve yet (through the engine,
//   so it is validated, tested and schema-checked here too) and reports what this host serves
//   (admit.policy_hosts, shown by GET /api/v1/admin/policies).
// - start(): a thread LISTENs on kPolicyChannel on its own connection and syncs on each
//   notification (a publish reaches every host within milliseconds of its commit); it also syncs
//   every `poll` (a host that missed a notification, or whose connection broke, catches up then).
//
// Thread-safety: every member may be called from any thread; syncs are serialized.
#pragma once

#include "host/common/result.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace admit::policy {

class PolicyEngine;
class RevisionStore;

struct FleetSyncOptions {
    std::string pg_url;  // for the LISTEN connection (never logged)
    std::string host_id;
    std::chrono::milliseconds poll{5000};
};

class FleetSync {
  public:
    // engine and store must outlive the sync.
    FleetSync(PolicyEngine& engine, RevisionStore& store, FleetSyncOptions options);
    ~FleetSync();  // stop()s
    FleetSync(const FleetSync&) = delete;
    FleetSync& operator=(const FleetSync&) = delete;

    Status seed();
    Status sync_now();
    Status start();
    void stop();

    const std::string& host_id() const { return options_.host_id; }
    // How long a host's report counts as current: three polls, at least a minute.
    std::chrono::seconds report_freshness() const;

    // "<hostname>:<pid>": unique per running admitd.
    static std::string default_host_id();

  private:
    void run();
    bool wait_or_stop(std::chrono::milliseconds pause);

    PolicyEngine& engine_;
    RevisionStore& store_;
    FleetSyncOptions options_;
    std::mutex sync_mutex_;
    std::mutex stop_mutex_;
    std::condition_variable stop_signal_;
    bool stopping_ = false;  // guarded by stop_mutex_
    std::thread thread_;
};

}  // namespace admit::policy
