// Simulator: owns the simulator's state (config, chaos, ledger, idempotency cache, journal,
// webhook sender, stats) and routes a SimRequest to the Toss API, the checkout page or the
// operator endpoints. handle() is thread-safe and never blocks on I/O: the server calls it on
// its io threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "chaos.hpp"
#include "http_client.hpp"
#include "http_types.hpp"
#include "idempotency_cache.hpp"
#include "journal.hpp"
#include "ledger.hpp"
#include "sim_config.hpp"
#include "stats.hpp"
#include "webhook_sender.hpp"

namespace admit::paysim {

struct Secrets {
    std::string api_secret_key;  // ADMIT_PAYSIM_SECRET_KEY
    std::string webhook_secret;  // ADMIT_PAYSIM_WEBHOOK_SECRET
};

class Simulator {
  public:
    // Replays the journal (if configured) before anything else; throws std::runtime_error on a
    // journal it cannot read or open.
    Simulator(StartupConfig config, Secrets secrets, HttpPoster& poster);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    void start();  // starts webhook delivery
    void stop();   // stops webhook delivery, flushes the journal

    SimReply handle(const SimRequest& request);
    // Paths that stay served while the simulator is "down" (down_mode close), so the operator
    // can bring it back: /sim/... and /healthz.
    static bool is_control_path(std::string_view path);

    // Called after /sim/config changed the knobs (the server applies chaos.down).
    void on_config_change(std::function<void(const RuntimeConfig&)> listener);

    const StartupConfig& startup() const { return startup_; }
    ConfigStore& config() { return config_; }
    Chaos& chaos() { return chaos_; }
    Stats& stats() { return stats_; }
    Ledger& ledger() { return ledger_; }
    IdempotencyCache& idempotency() { return idempotency_; }
    WebhookSender& webhooks() { return webhooks_; }
    Journal* journal() { return journal_.get(); }
    bool authorized(const std::string& authorization_header) const;
    std::size_t replayed_records() const { return replayed_; }
    void notify_config_changed();

  private:
    void record_payment(const Payment& p);

    StartupConfig startup_;
    Secrets secrets_;
    std::string expected_authorization_;
    ConfigStore config_;
    Chaos chaos_;
    Stats stats_;
    std::unique_ptr<Journal> journal_;
    WebhookSender webhooks_;
    Ledger ledger_;
    IdempotencyCache idempotency_;
    std::size_t replayed_ = 0;
    std::function<void(const RuntimeConfig&)> config_listener_;
};

}  // namespace admit::paysim
