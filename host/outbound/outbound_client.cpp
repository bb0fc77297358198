#include "host/outbound/outbound_client.hpp"

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "host/outbound/connection_pool.hpp"
#include "host/outbound/target_url.hpp"
#include "host/outbound/tls_context.hpp"
#include "host/outbound/upstream_metrics.hpp"

namespace admit::outbound {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct OutboundClient::Upstream {
    Upstream(const OutboundOptions& options, observe::MetricsRegistry* registry,
             const std::string& key)
        : name(key),
          breaker(options.breaker),
          pool(options.max_idle_per_upstream, options.idle_keepalive),
          metrics(registry, key) {
        metrics.breaker(BreakerState::closed);
    }
    std::string name;
    CircuitBreaker breaker;
    ConnectionPool pool;
    UpstreamMetrics metrics;
    std::mutex state_mutex;
    BreakerState last_state = BreakerState::closed;

    // Exports the breaker state and logs a change.
    void publish_state() {
        const BreakerState now = breaker.state();
        std::lock_guard lock(state_mutex);
        if (now == last_state) return;
        spdlog::warn("outbound {}: circuit breaker {} -> {}", name, to_string(last_state),
                     to_string(now));
        last_state = now;
        metrics.breaker(now);
    }
};

namespace {

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
               c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
    });
}

bool is_header_value(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_idempotent(const OutboundRequest& request) {
    static constexpr std::string_view kSafe[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    if (std::find(std::begin(kSafe), std::end(kSafe), request.method) != std::end(kSafe))
        return true;
    return std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
        return equals_ignoring_case(header.first, "Idempotency-Key") && !header.second.empty();
    });
}

std::string invalid_request(const OutboundRequest& request) {
    static constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                    "PATCH", "DELETE", "OPTIONS"};
    if (std::find(std::begin(kMethods), std::end(kMethods), request.method) == std::end(kMethods))
        return "unsupported method '" + request.method + "'";
    for (const auto& [name, value] : request.headers) {
        if (!is_token(name)) return "bad header name '" + name + "'";
        if (!is_header_value(value)) return "header " + name + " holds a line break";
        for (std::string_view reserved :
             {"Host", "Content-Length", "Connection", "Transfer-Encoding"}) {
            if (equals_ignoring_case(name, reserved))
                return "header " + name + " is set by the host";
        }
    }
    return {};
}

milliseconds bounded(milliseconds requested, milliseconds fallback, milliseconds cap) {
    const milliseconds value = requested.count() > 0 ? requested : fallback;
    return std::clamp(value, milliseconds(1), cap);
}

}  // namespace

Result<std::unique_ptr<OutboundClient>> OutboundClient::create(OutboundOptions options,
                                                               observe::MetricsRegistry* metrics) {
    // The TLS context itself is made at the first https call (LazyTlsContext); a CA file that
    // is not there is still a configuration error now.
    if (!options.ca_file.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(options.ca_file, ec))
            return Error{ErrorCode::CONFIG_INVALID_VALUE,
                         "outbound.ca_file " + options.ca_file.string() + ": no such file"};
    }
    return std::unique_ptr<OutboundClient>(new OutboundClient(std::move(options), metrics));
}

OutboundClient::OutboundClient(OutboundOptions options, observe::MetricsRegistry* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      tls_(TlsSettings{options_.verify_tls, options_.ca_file}) {}

OutboundClient::~OutboundClient() = default;

OutboundClient::Upstream& OutboundClient::upstream(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto& slot = upstreams_[key];
    if (!slot) slot = std::make_unique<Upstream>(options_, metrics_, key);
    return *slot;
}

BreakerState OutboundClient::breaker_state(const std::string& upstream_key) {
    {
        std::lock_guard lock(mutex_);
        if (upstreams_.find(upstream_key) == upstreams_.end()) return BreakerState::closed;
    }
    return upstream(upstream_key).breaker.state();
}

OutboundResult OutboundClient::call(const OutboundRequest& request) {
    OutboundResult result;
    const auto started = Clock::now();
    auto url = parse_target_url(request.url);
    if (!url) {
        result.failure = OutboundFailure::invalid;
        result.message = url.error().message;
        return result;
    }
    if (auto problem = invalid_request(request); !problem.empty()) {
        result.failure = OutboundFailure::invalid;
        result.message = std::move(problem);
        return result;
    }
    boost::asio::ssl::context* tls = nullptr;
    if (url->tls) {
        auto made = tls_.get();
        if (!made) {  // the CA file could not be loaded: a configuration problem, nothing sent
            result.failure = OutboundFailure::invalid;
            result.message = made.error().message;
            return result;
        }
        tls = *made;
    }
    Upstream& up = upstream(url->upstream());
    const milliseconds connect_timeout =
        bounded(request.connect_timeout, options_.connect_timeout, options_.max_timeout);
    const milliseconds read_timeout =
        bounded(request.read_timeout, options_.read_timeout, options_.max_timeout);
    const std::uint32_t max_attempts = std::clamp<std::uint32_t>(
        request.max_attempts == 0 ? options_.max_attempts : request.max_attempts, 1,
        std::max<std::uint32_t>(options_.max_attempts, 1));
    const bool idempotent = is_idempotent(request);
    const WireRequest wire{request.method, url->target, url->host_header(), request.headers,
                           request.body};

    CallOutcome outcome = CallOutcome::not_sent;
    bool maybe_sent = false;  // an earlier attempt may have reached the upstream
    milliseconds backoff = options_.retry_backoff;
    for (std::uint32_t attempt = 1; attempt <= max_attempts; ++attempt) {
        if (attempt > 1) {
            std::this_thread::sleep_for(backoff);
            backoff *= 2;
        }
        auto permit = up.breaker.try_acquire();
        if (!permit) {
            up.publish_state();
            result.failure = OutboundFailure::not_sent;
            result.message = "circuit breaker of " + up.name + " is open";
            outcome = CallOutcome::circuit_open;
            break;
        }
        const auto attempt_started = Clock::now();
        auto elapsed = [&] {
            return std::chrono::duration_cast<milliseconds>(Clock::now() - attempt_started);
        };
        std::unique_ptr<HttpConnection> connection = up.pool.take();
        if (!connection) {
            auto opened = HttpConnection::open(url.value(), tls, connect_timeout);
            if (!opened) {
                up.breaker.record(*permit, true, elapsed());
                up.publish_state();
                result.failure = OutboundFailure::not_sent;
                result.message = opened.error().message;
                outcome = CallOutcome::not_sent;
                continue;  // nothing left this host: any method may try again
            }
            connection = std::move(opened.value());
            up.metrics.connection_opened();
        }
        up.metrics.attempt();
        ++result.attempts;
        ExchangeResult exchanged =
            connection->exchange(wire, read_timeout, options_.max_response_bytes);
        switch (exchanged.outcome) {
            case ExchangeOutcome::answered: {
                const bool server_error = exchanged.response.status >= 500;
                up.breaker.record(*permit, server_error, elapsed());
                up.publish_state();
                up.pool.give_back(std::move(connection));
                result.failure = OutboundFailure::none;
                result.message.clear();
                result.response = std::move(exchanged.response);
                outcome = server_error ? CallOutcome::server_error : CallOutcome::answered;
                attempt = max_attempts;  // an answer ends the call
                break;
            }
            case ExchangeOutcome::too_large:
                up.breaker.record(*permit, false, elapsed());
                up.publish_state();
                result.failure = OutboundFailure::too_large;
                result.message = std::move(exchanged.message);
                outcome = CallOutcome::too_large;
                attempt = max_attempts;
                break;
            case ExchangeOutcome::not_sent:
            case ExchangeOutcome::no_answer:
                up.breaker.record(*permit, true, elapsed());
                up.publish_state();
                result.failure = OutboundFailure::no_answer;
                result.message = std::move(exchanged.message);
                outcome = CallOutcome::no_answer;
                maybe_sent = true;
                if (!idempotent) attempt = max_attempts;  // may have acted: never resend
                break;
        }
    }
    if (result.failure == OutboundFailure::not_sent && maybe_sent) {
        // A later attempt could not leave, but an earlier one may have acted.
        result.failure = OutboundFailure::no_answer;
        result.message = "an earlier attempt got no answer; then: " + result.message;
        outcome = CallOutcome::no_answer;
    }
    result.latency = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    up.metrics.call(outcome, result.latency);
    if (result.failure != OutboundFailure::none) {
        spdlog::debug("outbound {} {}{}: {} after {} attempt(s)", request.method, up.name,
                      url->target, result.message, result.attempts);
    }
    return result;
}

}  // namespace admit::outbound
