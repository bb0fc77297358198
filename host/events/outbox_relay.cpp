#include "host/events/outbox_relay.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>

#include "host/events/background_priority.hpp"
#include "host/events/event_schema.hpp"
#include "host/events/event_sql.hpp"
#include "host/store/pg_conninfo.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::events {

namespace {

// Advisory lock key serializing relays of all hosts on one database ("admit.event_relay").
constexpr const char* kRelayLock =
    "SELECT pg_try_advisory_xact_lock(hashtext('admit.event_relay'))";
// How often the relay looks at its LISTEN socket while idle; while publishes are open it sleeps
// until the next pending check is due (a new publish wakes it at once either way).
constexpr auto kIdleSlice = std::chrono::milliseconds(10);
constexpr auto kMinSlice = std::chrono::milliseconds(1);
// While publishes are open, whether one committed is asked at most this often: in a burst every
// batch of holds opens one, and a check per millisecond cost PostgreSQL more than the relay
// itself. Events wait at most this much longer to be relayed.
constexpr auto kPendingCheckEvery = std::chrono::milliseconds(5);
constexpr std::size_t kPendingCheckLimit = 1000;

class OutboxNotification final : public pqxx::notification_receiver {
  public:
    OutboxNotification(pqxx::connection_base& conn, std::atomic<bool>& flag)
        : pqxx::notification_receiver(conn, kOutboxChannel), flag_(flag) {}
    void operator()(const std::string&, int) override { flag_.store(true); }

  private:
    std::atomic<bool>& flag_;
};

// Collects the first column of every row (transaction ids still running).
class RunningXids final : public store::RowSink {
  public:
    void on_columns(std::span<const std::string_view>) override {}
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        if (!values.empty() && values[0]) xids.emplace_back(*values[0]);
    }
    std::vector<std::string> xids;
};

}  // namespace

OutboxRelay::OutboxRelay(store::PgPool& pool, const EventOptions& options, EventCounters& counters,
                         PendingCommits& pending, std::unique_ptr<RelayTarget> target)
    : pool_(pool),
      options_(options),
      counters_(counters),
      pending_(pending),
      target_(std::move(target)),
      retention_(pool, options, counters) {}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::start() {
    stopping_.store(false);
    notified_.store(true);  // resume from durable state: relay whatever is still unrelayed
    pending_.set_waker([this] {
        kicked_.store(true);
        wakeup_.notify_all();
    });
    thread_ = std::thread([this] {
        run_this_thread_in_background(options_.background_nice);
        run();
    });
}

void OutboxRelay::stop() {
    pending_.set_waker({});
    stopping_.store(true);
    wakeup_.notify_all();
    if (thread_.joinable()) thread_.join();
    receiver_.reset();
    listener_.reset();
    listening_.store(false);
}

void OutboxRelay::wake() {
    notified_.store(true);
    wakeup_.notify_all();
}

bool OutboxRelay::connect_listener() {
    try {
        auto conninfo = store::build_conninfo(pool_.options().url, pool_.options().connect_timeout,
                                              std::chrono::milliseconds(0));
        if (!conninfo) return false;
        listener_ = std::make_unique<pqxx::connection>(conninfo.value());
        receiver_ = std::make_unique<OutboxNotification>(*listener_, notified_);
        listening_.store(true);
        if (listen_warned_) spdlog::info("events: relay LISTENs again");
        listen_warned_ = false;
        return true;
    } catch (const std::exception& e) {
        // Once per outage: it is retried every half second meanwhile.
        if (!listen_warned_)
            spdlog::warn("events: relay cannot LISTEN ({}); polling every {} ms until it can",
                         e.what(), options_.relay_poll.count());
        listen_warned_ = true;
        receiver_.reset();
        listener_.reset();
        return false;
    }
}

void OutboxRelay::run() {
    auto last_pass = std::chrono::steady_clock::now();
    auto last_pending_check = last_pass;
    auto next_listen_attempt = last_pass;
    while (!stopping_.load()) {
        const auto now = std::chrono::steady_clock::now();
        if (!listener_ && now >= next_listen_attempt) {
            // Without its LISTEN connection the relay polls every relay_poll; a PostgreSQL that
            // is back is listened to again within half a second (backoff_max / 10 would be 6 s
            // by default).
            if (!connect_listener())
                next_listen_attempt =
                    now + std::min<std::chrono::steady_clock::duration>(
                              options_.backoff_max / 10, std::chrono::milliseconds(500));
            notified_.store(true);  // notifications may have been missed while disconnected
        }
        poll_listener();
        bool due = notified_.exchange(false) || now - last_pass >= options_.relay_poll;
        if (!due && !pending_.empty() && now - last_pending_check >= kPendingCheckEvery) {
            last_pending_check = now;
            due = pending_commit_finished();
        }
        if (due) {
            last_pass = now;
            const Status pass = relay_all();
            healthy_.store(pass.ok() || starved_by_pool(pass, counters_));
            if (pass) {
                pass_failed_.succeeded();
            } else {
                std::unique_lock lock(mutex_);
                wakeup_.wait_for(lock, options_.backoff_initial, [&] { return stopping_.load(); });
                notified_.store(true);
                continue;
            }
        }
        retention_.step(now);
        // Waking every millisecond while a publish is open, as before, cost a context switch per
        // millisecond for a check made every kPendingCheckEvery.
        const std::chrono::steady_clock::duration slice =
            pending_.empty() ? std::chrono::steady_clock::duration(kIdleSlice)
                             : std::clamp<std::chrono::steady_clock::duration>(
                                   kPendingCheckEvery - (now - last_pending_check), kMinSlice,
                                   kPendingCheckEvery);
        std::unique_lock lock(mutex_);
        wakeup_.wait_for(lock, slice, [&] {
            return stopping_.load() || notified_.load() || kicked_.exchange(false);
        });
    }
}

void OutboxRelay::poll_listener() {
    if (!listener_) return;
    try {
        listener_->get_notifs();  // non-blocking; OutboxNotification sets notified_
    } catch (const std::exception& e) {
        spdlog::warn(
            "events: relay LISTEN connection lost ({}); polling every {} ms until it "
            "is back",
            e.what(), options_.relay_poll.count());
        listen_warned_ = true;
        listening_.store(false);
        receiver_.reset();
        listener_.reset();
    }
}

bool OutboxRelay::pending_commit_finished() {
    const auto checked = pending_.snapshot(kPendingCheckLimit);
    const std::optional<std::string> params[] = {text_array_literal(checked)};
    RunningXids running;
    // One autocommit round trip: this runs every kPendingCheckEvery while a publish is open.
    const auto result =
        store::execute(pool_,
                       "SELECT x FROM unnest($1::text[]) AS x "
                       "WHERE NOT pg_visible_in_snapshot(x::xid8, pg_current_snapshot())",
                       params, &running);
    if (!result) return true;  // cannot tell: a pass does no harm
    pending_.forget_finished(checked, running.xids);
    return running.xids.size() < checked.size();
}

Status OutboxRelay::relay_all() {
    for (;;) {
        std::size_t relayed = 0;
        bool locked = true;
        const Status status = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
            if (!tx.exec(kRelayLock)[0][0].as<bool>()) {
                locked = false;  // another relay holds the lock; its pass covers our rows too
                return {};
            }
            auto result = target_->relay(tx, options_.relay_batch);
            if (!result) return result.error();
            relayed = result.value();
            return {};
        });
        if (!status) {
            pass_failed_.failed(
                "events: relay pass failed: " + std::string(admit::name(status.error().code)) +
                ": " + status.error().message);
            return status;
        }
        if (relayed > 0) {
            counters_.relayed += relayed;
            target_->committed();
        }
        if (!locked) {
            // Another relay's pass is running; look again shortly (its batch may not cover ours).
            std::unique_lock lock(mutex_);
            wakeup_.wait_for(lock, std::chrono::milliseconds(20), [&] { return stopping_.load(); });
            notified_.store(true);
            return {};
        }
        if (relayed < options_.relay_batch || stopping_.load()) return {};
    }
}

}  // namespace admit::events
