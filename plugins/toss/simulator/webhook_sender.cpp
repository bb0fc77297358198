#include "webhook_sender.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

#include "crypto.hpp"
#include "ids.hpp"
#include "payment_json.hpp"

namespace admit::paysim {
namespace {

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool notifies(PaymentStatus s) { return s != PaymentStatus::in_progress; }

std::optional<HttpTarget> parse_target(const std::string& url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) return std::nullopt;
    HttpTarget t;
    t.host = parsed->host();
    t.port = parsed->has_port() ? std::string(parsed->port()) : "80";
    t.target = std::string(parsed->encoded_path());
    if (t.target.empty()) t.target = "/";
    if (parsed->has_query()) t.target += "?" + std::string(parsed->encoded_query());
    return t;
}

}  // namespace

std::string webhook_signature(const std::string& secret, int64_t unix_seconds,
                              const std::string& body) {
    std::string t = std::to_string(unix_seconds);
    return "t=" + t + ",v1=" + hmac_sha256_hex(secret, t + "." + body);
}

WebhookSender::WebhookSender(ConfigStore& config, Chaos& chaos, Stats& stats, HttpPoster& poster,
                             std::string secret)
    : config_(config), chaos_(chaos), stats_(stats), poster_(poster), secret_(std::move(secret)) {}

WebhookSender::~WebhookSender() { stop(); }

void WebhookSender::start() {
    thread_ = std::thread([this] { run(); });
}

void WebhookSender::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::size_t WebhookSender::pending() const {
    std::lock_guard lock(mutex_);
    return queued_events_ + in_flight_;
}

void WebhookSender::push_locked(Delivery delivery) {
    delivery.seq = ++seq_;
    queue_.push(std::move(delivery));
}

void WebhookSender::payment_changed(const Payment& payment) {
    if (!notifies(payment.status)) return;
    auto config = config_.get();
    const auto& w = config->webhooks;
    if (w.url.empty()) return;
    Delivery d;
    d.event_id = random_id("evt_", 32);
    d.body =
        boost::json::serialize(boost::json::object{{"eventType", "PAYMENT_STATUS_CHANGED"},
                                                   {"createdAt", toss_event_time(now_unix_us())},
                                                   {"data", toss_payment_json(payment)}});
    d.due_ms = steady_ms() + chaos_.uniform(w.delay_min_ms, w.delay_max_ms);
    bool duplicate = chaos_.chance(w.duplicate_rate);
    bool hold = chaos_.chance(w.reorder_rate);
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (queued_events_ >= static_cast<std::size_t>(w.queue_capacity)) {
            bump(stats_.webhooks_dropped);
            spdlog::warn("webhook queue full ({}): dropped event for payment {} ({})",
                         queued_events_, payment.payment_key, status_name(payment.status));
            return;
        }
        bump(stats_.webhooks_enqueued);
        ++queued_events_;
        if (duplicate) {
            Delivery copy;
            copy.event_id = d.event_id;
            copy.body = d.body;
            d.followers.push_back(std::move(copy));
            ++queued_events_;
            bump(stats_.webhooks_duplicated);
        }
        if (held_) {
            // Reorder: the held (earlier) event goes out after this one.
            d.followers.push_back(std::move(*held_));
            held_.reset();
            bump(stats_.webhooks_reordered);
        }
        if (hold) {
            held_ = std::move(d);
            held_since_ms_ = steady_ms();
            return;  // the scheduler's periodic check releases it
        }
        // The scheduler only needs waking when this event is due before everything queued.
        wake = queue_.empty() || d.due_ms < queue_.top().due_ms;
        push_locked(std::move(d));
    }
    if (wake) wake_.notify_one();
}

void WebhookSender::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto config = config_.get();
        int64_t now = steady_ms();
        if (held_ && now - held_since_ms_ >= config->webhooks.reorder_hold_max_ms) {
            push_locked(std::move(*held_));
            held_.reset();
        }
        int64_t wait_ms = 100;  // re-read the config and the held event now and then
        if (held_) {
            wait_ms =
                std::min(wait_ms, held_since_ms_ + config->webhooks.reorder_hold_max_ms - now);
        }
        if (!queue_.empty() &&
            in_flight_ < static_cast<std::size_t>(config->webhooks.concurrency)) {
            if (queue_.top().due_ms <= now) {
                Delivery d = queue_.top();
                queue_.pop();
                ++in_flight_;
                lock.unlock();
                send(std::move(d));
                lock.lock();
                continue;
            }
            wait_ms = std::min(wait_ms, queue_.top().due_ms - now);
        }
        wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 1)));
    }
}

void WebhookSender::send(Delivery d) {
    auto config = config_.get();
    auto target = parse_target(config->webhooks.url);
    ++d.attempt;
    bump(stats_.webhooks_attempts);
    if (!target) {
        finished(std::move(d), 0, "webhooks.url is empty or not an http:// URL");
        return;
    }
    int64_t t = now_unix_ms() / 1000;
    std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", "application/json; charset=utf-8"},
        {"Admit-Sim-Event-Id", d.event_id},
        {"Admit-Sim-Delivery-Attempt", std::to_string(d.attempt)},
        {"Admit-Sim-Signature", webhook_signature(secret_, t, d.body)}};
    std::string body = d.body;
    auto shared = std::make_shared<Delivery>(std::move(d));
    poster_.post(*target, std::move(body), std::move(headers),
                 std::chrono::milliseconds(config->webhooks.timeout_ms),
                 [this, shared](int status, std::string error) {
                     finished(std::move(*shared), status, error);
                 });
}

void WebhookSender::finished(Delivery d, int status, const std::string& error) {
    auto config = config_.get();
    const auto& w = config->webhooks;
    bool ok = status >= 200 && status < 300;
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        // Wake the scheduler when it may be waiting for a free slot or for what we push.
        wake = in_flight_ >= static_cast<std::size_t>(w.concurrency) || !d.followers.empty();
        --in_flight_;
        int64_t now = steady_ms();
        if (d.attempt == 1) {
            for (auto& f : d.followers) {
                f.due_ms = now;
                push_locked(std::move(f));
            }
            d.followers.clear();
        }
        if (ok) {
            bump(stats_.webhooks_delivered);
            --queued_events_;
        } else if (d.attempt < w.max_attempts) {
            bump(stats_.webhooks_retried);
            int64_t backoff = w.retry_base_ms;
            for (int i = 1; i < d.attempt && backoff < w.retry_max_ms; ++i) backoff *= 2;
            d.due_ms = now + std::min(backoff, w.retry_max_ms);
            spdlog::debug("webhook {} attempt {} failed ({}{}); retry in {} ms", d.event_id,
                          d.attempt, status, error.empty() ? "" : ": " + error,
                          std::min(backoff, w.retry_max_ms));
            wake = wake || queue_.empty() || d.due_ms < queue_.top().due_ms;
            push_locked(std::move(d));
        } else {
            bump(stats_.webhooks_failed);
            --queued_events_;
            spdlog::warn("webhook {} given up after {} attempts (last: {}{})", d.event_id,
                         d.attempt, status, error.empty() ? "" : ": " + error);
        }
    }
    if (wake) wake_.notify_one();
}

}  // namespace admit::paysim
