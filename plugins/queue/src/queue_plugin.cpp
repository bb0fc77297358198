// The queue plugin: a virtual waiting room per schedule. See plugins/queue/README.md for the
// routes, the Redis layout, the durable log and what is guaranteed.
#include "admin_controls.hpp"
#include "admission_tick.hpp"
#include "inventory.hpp"
#include "line_keeper.hpp"
#include "place_service.hpp"
#include "queue_context.hpp"
#include "queue_contracts.hpp"
#include "stream_presence.hpp"
#include "stream_relay.hpp"

#include <admit/sdk.hpp>

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace admit::queue {

using sdk::Error;
using sdk::Request;
using sdk::Response;
using sdk::Status;

namespace {

QueueSettings read_settings(const sdk::Host& host) {
    QueueSettings s;
    s.grace_ms = host.config_int("grace_seconds", s.grace_ms / 1000) * 1000;
    s.sweep_interval_ms = host.config_int("sweep_seconds", s.sweep_interval_ms / 1000) * 1000;
    s.tick_ms = host.config_int("tick_ms", s.tick_ms);
    s.lock_ttl_ms = host.config_int("lock_ttl_ms", s.lock_ttl_ms);
    s.join_batch_max = static_cast<std::size_t>(
        host.config_int("join_batch_max", static_cast<int64_t>(s.join_batch_max)));
    s.deny_capacity = static_cast<std::size_t>(
        host.config_int("deny_capacity", static_cast<int64_t>(s.deny_capacity)));
    s.facts_cache_ms = host.config_int("facts_cache_ms", s.facts_cache_ms);
    s.join_timeout_ms = host.config_int("join_timeout_ms", s.join_timeout_ms);
    s.entry_key_env = host.config_string("entry_key_env", s.entry_key_env);
    return s;
}

}  // namespace

/// Config ([plugin.queue]): grace_seconds (120), sweep_seconds (30), tick_ms (1000),
/// lock_ttl_ms (3000), join_batch_max (2000), deny_capacity (100000), facts_cache_ms (1000),
/// join_timeout_ms (5000), entry_key_env ("ADMIT_QUEUE_ENTRY_KEY").
class QueuePlugin final : public sdk::Plugin {
  public:
    Status init(sdk::Host& host) override {
        if (sodium_init() < 0) return Error::internal("queue: libsodium failed to initialize");
        ctx_.host = &host;
        ctx_.settings = read_settings(host);
        if (ctx_.settings.grace_ms < 1000 || ctx_.settings.tick_ms < 50 ||
            ctx_.settings.sweep_interval_ms < 1000)
            return Error::invalid(
                "queue: grace_seconds and sweep_seconds must be >= 1, tick_ms >= 50");
        ctx_.owner = sdk::new_id("qhost");
        ctx_.redis = std::make_unique<QueueRedis>(host.redis());
        ctx_.joins = std::make_unique<JoinLog>(
            host.db(), ctx_.settings.join_batch_max,
            [&host](const std::string& message) { host.error("queue: ", message); });
        ctx_.deny = std::make_unique<DenyList>(host.db(), ctx_.settings.deny_capacity,
                                               std::chrono::milliseconds(1000));
        ctx_.facts = std::make_unique<ScheduleFactsCache>(
            [&host](const std::string& schedule) {
                return host.call("product.sale_context", {{"scheduleId", schedule}});
            },
            std::chrono::milliseconds(ctx_.settings.facts_cache_ms));
        keeper_ = std::make_unique<LineKeeper>(ctx_);
        places_ = std::make_unique<PlaceService>(ctx_, *keeper_);
        relay_ = std::make_unique<StreamRelay>(ctx_, std::chrono::milliseconds(1000));
        presence_ = std::make_unique<StreamPresence>(
            ctx_, std::chrono::milliseconds(std::max<int64_t>(100, ctx_.settings.grace_ms / 3)));
        tick_ = std::make_unique<AdmissionTick>(ctx_, *keeper_, *relay_);
        admin_ = std::make_unique<AdminControls>(ctx_, *keeper_, *tick_);

        if (auto s = host.register_migrations(); !s) return s;
        if (auto s = ctx_.redis->register_scripts(); !s) return s;
        if (auto s = register_routes(host); !s) return s;
        if (auto s = host.provide("queue.check_entry",
                                  [this](const boost::json::value& input, const sdk::Principal&) {
                                      return places_->check_entry(input);
                                  });
            !s)
            return s;
        if (auto s = host.subscribe("reservation.*", "queue_inventory", &follow_reservation); !s)
            return s;
        return host.periodic_job("admission", std::chrono::milliseconds(ctx_.settings.tick_ms),
                                 [this]() -> Status { return tick_->run(); });
    }

    Status start() override {
        if (auto s = load_key(); !s) return s;
        (void)ctx_.deny->reload();
        ctx_.deny->start();
        ctx_.joins->start();
        relay_->start();
        presence_->start();
        return {};
    }

    void stop() override {
        presence_->stop();
        relay_->stop();
        ctx_.joins->stop();
        ctx_.deny->stop();
    }

  private:
    /// The entry-token key: from the environment (base64, 32 bytes), else the one stored in
    /// queue.keys (drawn by the first host, shared by all).
    Status load_key() {
        if (const char* text = std::getenv(ctx_.settings.entry_key_env.c_str());
            text != nullptr && *text != '\0') {
            auto key = parse_entry_key(text);
            if (!key)
                return Error::invalid("queue: " + ctx_.settings.entry_key_env +
                                      " must be a base64 32-byte key");
            ctx_.key = *key;
            return {};
        }
        EntryKey drawn{};
        randombytes_buf(drawn.data(), drawn.size());
        auto inserted = ctx_.host->db().exec(
            "INSERT INTO queue.keys (name, secret) VALUES ('entry', decode($1, 'hex')) "
            "ON CONFLICT (name) DO NOTHING",
            to_hex(drawn.data(), drawn.size()));
        sodium_memzero(drawn.data(), drawn.size());
        if (!inserted)
            return Error{inserted.error().status,
                         "queue: storing the entry key: " + inserted.error().message};
        auto rows = ctx_.host->db().exec(
            "SELECT encode(secret, 'base64') AS secret FROM queue.keys WHERE name = 'entry'");
        if (!rows || rows->empty()) return Error::internal("queue: the entry key is missing");
        std::string text = rows->front().text("secret");
        std::erase(text, '\n');
        auto key = parse_entry_key(text);
        if (!key) return Error::internal("queue: the stored entry key is malformed");
        ctx_.key = *key;
        return {};
    }

    Status register_routes(sdk::Host& host) {
        const std::string place = "/api/v1/schedules/{scheduleId}/queue";
        const std::string admin = "/api/v1/admin/schedules/{scheduleId}/queue";
        struct Entry {
            const char* method;
            std::string path;
            const char* roles;
            Response (QueuePlugin::*handler)(const Request&);
            const char* category;
            const char* summary;
            const char* operation_id;
            std::string contract;
        };
        const Entry entries[] = {
            {"POST", place, "authenticated", &QueuePlugin::join, "queue",
             "Joins the schedule's waiting room (joining twice keeps one place)", "joinQueue",
             contracts::join()},
            {"GET", place, "authenticated", &QueuePlugin::status, "queue",
             "The caller's place (also the heartbeat that keeps it)", "getQueuePosition",
             contracts::status()},
            {"DELETE", place, "authenticated", &QueuePlugin::leave, "queue",
             "Leaves the waiting room (an entry token stops working)", "leaveQueue",
             contracts::leave()},
            {"GET", place + "/fairness", "public", &QueuePlugin::fairness, "queue",
             "The shuffle's commitment, and after the start its seed and join ids",
             "getQueueFairness", contracts::fairness()},
            {"GET", admin, "admin", &QueuePlugin::overview, "general",
             "Waiting, active, admission rate, ETA percentiles, fairness commitment",
             "getQueueOverview", contracts::overview()},
            {"POST", admin + "/pause", "admin", &QueuePlugin::pause, "general",
             "Pauses admissions (audited)", "pauseQueue",
             contracts::set_paused("admissions paused")},
            {"POST", admin + "/resume", "admin", &QueuePlugin::resume, "general",
             "Resumes admissions (audited)", "resumeQueue",
             contracts::set_paused("admissions resumed")},
            {"POST", admin + "/clear", "admin", &QueuePlugin::clear, "general",
             "Empties the line and revokes live entry tokens (audited)", "clearQueue",
             contracts::clear()},
            {"POST", admin + "/rate", "admin", &QueuePlugin::rate, "general",
             "Overrides the admissions per second, or null for the policy's (audited)",
             "setQueueRate", contracts::rate()},
        };
        for (const auto& e : entries) {
            if (auto s = host.route(e.method, e.path, e.roles, e.handler, this,
                                    {.rate_category = e.category,
                                     .summary = e.summary,
                                     .operation_id = e.operation_id,
                                     .contract = e.contract});
                !s)
                return s;
        }
        return host.stream(
            place + "/stream", "authenticated", "queue:{scheduleId}",
            "The line's progress (at most one message per second) and admissions",
            [this](const Request& r) { return open_stream(r); },
            {.operation_id = "streamQueue", .contract = contracts::stream()},
            [this](const Request& r) { close_stream(r); });
    }

    /// An accepted stream keeps its user's place while it is open (StreamPresence); the host
    /// reports its end to close_stream exactly once (ABI 1.3).
    sdk::Result<std::optional<boost::json::value>> open_stream(const Request& r) {
        auto snapshot = places_->open_stream(r);
        if (snapshot)
            presence_->opened(std::string(r.param("scheduleId")),
                              std::string(r.principal().subject()));
        return snapshot;
    }
    void close_stream(const Request& r) {
        presence_->closed(std::string(r.param("scheduleId")), std::string(r.principal().subject()));
    }

    Response join(const Request& r) { return places_->join(r); }
    Response status(const Request& r) { return places_->status(r); }
    Response leave(const Request& r) { return places_->leave(r); }
    Response fairness(const Request& r) { return places_->fairness(r); }
    Response overview(const Request& r) { return admin_->overview(r); }
    Response pause(const Request& r) { return admin_->pause(r); }
    Response resume(const Request& r) { return admin_->resume(r); }
    Response clear(const Request& r) { return admin_->clear(r); }
    Response rate(const Request& r) { return admin_->rate(r); }

    QueueContext ctx_;
    std::unique_ptr<LineKeeper> keeper_;
    std::unique_ptr<PlaceService> places_;
    std::unique_ptr<StreamRelay> relay_;
    std::unique_ptr<StreamPresence> presence_;
    std::unique_ptr<AdmissionTick> tick_;
    std::unique_ptr<AdminControls> admin_;
};

}  // namespace admit::queue

ADMIT_PLUGIN(queue, admit::queue::QueuePlugin, "0.1.0");
