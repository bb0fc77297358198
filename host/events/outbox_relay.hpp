// OutboxRelay: moves committed outbox rows to the backend (inproc fan-out or Kafka).
//
// Correctness: the relay never tracks "the highest id seen". Ids come from a sequence and are
// taken at INSERT time, but transactions commit in any order, so a row with a lower id can become
// visible after a higher one; a high-water mark would skip it forever. Instead each row carries
// relayed_at, set in the same transaction that hands it to the backend, and every pass takes the
// lowest-id rows still NULL (partial index). A crash between the publisher's commit and the relay
// loses nothing: the next relay (in this process or another) finds the row still unrelayed.
// Relays of several hosts serialize on a transaction-scoped advisory lock, so one batch at a time
// is relayed in id order.
//
// Order per key is therefore the order in which rows become visible to the relay: for two
// publishes of one key where the second transaction began publishing after the first committed
// (the only case where "publish order" is well defined) that is publish order.
//
// Wake-up: publish() records its transaction in PendingCommits; while any is pending the relay
// checks about every millisecond whether it finished and then runs a pass (see
// pending_commits.hpp for why not NOTIFY per publish). The relay also LISTENs on kOutboxChannel
// (publishers in other processes may NOTIFY; EventOptions::notify_on_publish) and passes every
// relay_poll as a safety net.
//
// Retention: between passes the relay thread also deletes expired rows in small batches
// (retention.hpp), so cleanup never runs concurrently with a pass of this relay.
//
// Thread-safety: start()/stop() from one owner thread; wake() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <pqxx/pqxx>

#include "host/common/result.hpp"
#include "host/events/event_types.hpp"
#include "host/events/pending_commits.hpp"
#include "host/events/retention.hpp"
#include "host/observe/repeated_warning.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events {

// Where relayed rows go. Called on the relay thread only, inside the relay's transaction.
class RelayTarget {
  public:
    virtual ~RelayTarget() = default;
    // Hands up to `batch` unrelayed outbox rows (lowest ids first) to the backend and sets their
    // relayed_at within `tx`. Returns how many rows were relayed. May throw pqxx exceptions.
    virtual Result<std::size_t> relay(pqxx::work& tx, std::size_t batch) = 0;
    // Called after the relay transaction committed with rows relayed.
    virtual void committed() {}
};

class OutboxRelay {
  public:
    OutboxRelay(store::PgPool& pool, const EventOptions& options, EventCounters& counters,
                PendingCommits& pending, std::unique_ptr<RelayTarget> target);
    ~OutboxRelay();
    OutboxRelay(const OutboxRelay&) = delete;
    OutboxRelay& operator=(const OutboxRelay&) = delete;

    void start();
    void stop();  // finishes the current batch, then joins
    void wake();

    // False while the last relay pass failed. A pass that found no free pooled connection
    // (POOL_EXHAUSTED: the requests hold them all) is load, not a failure: it leaves the relay
    // healthy (readiness must not take a busy instance out). Nor does a missing LISTEN
    // connection: the relay then polls every relay_poll, so events are late by at most that and
    // none is lost; requiring it kept a fleet out of the balancer for its reconnect after every
    // PostgreSQL restart (listening() tells it apart).
    bool healthy() const { return healthy_.load(); }
    // True while the LISTEN connection is open.
    bool listening() const { return listening_.load(); }

  private:
    void run();
    // Relays until a pass returns less than a full batch; the failure of a pass otherwise.
    Status relay_all();
    bool connect_listener();
    // True when a pending publishing transaction has finished (or cannot be checked).
    bool pending_commit_finished();
    void poll_listener();

    store::PgPool& pool_;
    const EventOptions& options_;
    EventCounters& counters_;
    PendingCommits& pending_;
    std::unique_ptr<RelayTarget> target_;
    Retention retention_;
    std::unique_ptr<pqxx::connection> listener_;
    std::unique_ptr<pqxx::notification_receiver> receiver_;
    std::atomic<bool> notified_{true};  // run a pass now
    std::atomic<bool> kicked_{false};   // a publisher was recorded in pending_
    std::atomic<bool> stopping_{false};
    std::atomic<bool> healthy_{true};
    std::atomic<bool> listening_{false};
    bool listen_warned_ = false;  // relay thread only: this outage's LISTEN failure was logged
    observe::RepeatedWarning pass_failed_{
        "events: relay: working again"};  // one line per outage, not per pass
    std::mutex mutex_;
    std::condition_variable wakeup_;
    std::thread thread_;
};

}  // namespace admit::events
