// WebhookSender: delivers PAYMENT_STATUS_CHANGED events to webhooks.url, signed with
// HMAC-SHA256 (see README "Webhooks"), with the chaos knobs: random delay, duplicates, reordering
// (an event held back until the next one has been sent), retries with exponential back-off on
// non-2xx or transport errors, and a bounded queue (a full queue drops the event and counts it).
//
// Threading: enqueue() is called by the ledger under its lock; it only builds the body and
// pushes to a queue, never blocking on the network. One scheduler thread starts deliveries when
// they are due, at most `concurrency` at a time, through the HttpPoster (whose callbacks run on
// io threads). Undelivered events are lost at exit (they are not journaled): a receiver
// reconciles with GET /v1/payments/{paymentKey}.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "chaos.hpp"
#include "http_client.hpp"
#include "ledger.hpp"
#include "sim_config.hpp"
#include "stats.hpp"

namespace admit::paysim {

// The signature header value for a body sent at `unix_seconds`:
// "t=<unix_seconds>,v1=<hex HMAC-SHA256(secret, "<unix_seconds>.<body>")>".
std::string webhook_signature(const std::string& secret, int64_t unix_seconds,
                              const std::string& body);

class WebhookSender {
  public:
    WebhookSender(ConfigStore& config, Chaos& chaos, Stats& stats, HttpPoster& poster,
                  std::string secret);
    ~WebhookSender();  // stop()
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    void start();
    void stop();  // joins the scheduler; deliveries still in flight finish on the io threads

    // A payment's status changed: queue its event (no-op when webhooks.url is empty).
    void payment_changed(const Payment& payment);
    std::size_t pending() const;  // queued, held and in flight

  private:
    struct Delivery {
        std::string event_id;
        std::string body;
        int attempt = 0;  // attempts made
        int64_t due_ms = 0;
        uint64_t seq = 0;
        std::vector<Delivery> followers;  // released when this one's first attempt ends
    };
    struct Later {
        bool operator()(const Delivery& a, const Delivery& b) const {
            return a.due_ms != b.due_ms ? a.due_ms > b.due_ms : a.seq > b.seq;
        }
    };

    void run();
    void send(Delivery delivery);
    void finished(Delivery delivery, int status, const std::string& error);
    void push_locked(Delivery delivery);

    ConfigStore& config_;
    Chaos& chaos_;
    Stats& stats_;
    HttpPoster& poster_;
    const std::string secret_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::priority_queue<Delivery, std::vector<Delivery>, Later> queue_;
    std::optional<Delivery> held_;  // reorder: waits for the next event
    int64_t held_since_ms_ = 0;
    std::size_t queued_events_ = 0;  // events counted against queue_capacity
    std::size_t in_flight_ = 0;
    uint64_t seq_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace admit::paysim
