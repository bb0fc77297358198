#include "host/pipeline/rate_limit_guard.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "host/observe/metrics_registry.hpp"
#include "host/pipeline/rate_buckets.hpp"
#include "host/policy/policy_engine.hpp"

namespace admit::runtime {
namespace {

// Counters of the shared-bucket calls; none when no registry is given (or a name is refused,
// which the fixed valid names below never are).
SharedBucketSync::Counters sync_counters(observe::MetricsRegistry* metrics) {
    SharedBucketSync::Counters counters;
    if (metrics == nullptr) return counters;
    if (auto calls = metrics->counter("admit_ratelimit_sync_calls_total",
                                      "Redis script calls counting passed requests in the shared "
                                      "rate-limit buckets"))
        counters.calls = *calls;
    if (auto requests = metrics->counter("admit_ratelimit_sync_requests_total",
                                         "Passed requests counted in the shared rate-limit "
                                         "buckets (divided by the calls: the batch size)"))
        counters.requests = *requests;
    if (auto answers = metrics->counter("admit_ratelimit_sync_answers_total",
                                        "Shared rate-limit bucket calls whose answer this host "
                                        "learned (calls minus answers: in flight or failed)"))
        counters.answers = *answers;
    return counters;
}

}  // namespace

RateLimitGuard::RateLimitGuard(store::ScriptRegistry& scripts, policy::PolicyEngine& policies,
                               HostClock& clock, observe::MetricsRegistry* metrics)
    : policies_(policies),
      clock_(clock),
      buckets_(std::make_shared<RateBuckets>()),
      shared_(scripts, buckets_, sync_counters(metrics)) {}

std::optional<RateLimitGuard::Rule> RateLimitGuard::rule_for(const std::string& input) {
    const int64_t now = clock_.now_us();
    const std::uint64_t generation = policies_.generation();
    {
        std::shared_lock lock(rules_mutex_);
        auto found = rules_.find(input);
        if (found != rules_.end() && found->second.generation == generation &&
            now - found->second.decided_us < kRuleReuseUs && now >= found->second.decided_us) {
            return found->second.rule;
        }
    }
    auto decision = policies_.evaluate("ratelimits", input);
    if (!decision) {
        warn_throttled(decision.error().message);
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(decision->json, ec);
    const boost::json::object* d = parsed.if_object();
    if (ec || d == nullptr) {
        warn_throttled("ratelimits returned no object");
        return std::nullopt;
    }
    auto number = [&](std::string_view field) -> int64_t {
        const auto* v = d->if_contains(field);
        if (v == nullptr) return 0;
        if (v->is_int64()) return v->as_int64();
        if (v->is_double()) return static_cast<int64_t>(v->as_double());
        return 0;
    };
    const auto* key_by = d->if_contains("keyBy");
    Rule rule{number("limit"), number("windowSeconds"),
              key_by != nullptr && key_by->is_string() && key_by->as_string() == "caller"};
    if (!decision->fallback_used) {  // a failing revision's fallback is asked again next time
        std::unique_lock lock(rules_mutex_);
        rules_[input] = CachedRule{rule, generation, now};
    }
    return rule;
}

void RateLimitGuard::warn_throttled(const std::string& message) {
    int64_t now = clock_.now_us();
    int64_t last = last_warning_us_.load(std::memory_order_relaxed);
    if (now - last > 1'000'000 && last_warning_us_.compare_exchange_strong(last, now)) {
        spdlog::warn("rate limits not enforced (failing open): {}", message);
    }
}

std::optional<http::Response> RateLimitGuard::before(const RouteEntry& route, const Caller& caller,
                                                     const http::Request& request) {
    if (route.kind == RouteEntry::Kind::builtin &&
        route.roles.kind == RoleRule::Kind::public_access) {
        return std::nullopt;  // health, readiness, metrics: never limited
    }
    const std::string input = R"({"category":")" + route.rate_category + R"(","authenticated":)" +
                              (caller.authenticated() ? "true" : "false") + "}";
    const auto rule = rule_for(input);
    if (!rule) return std::nullopt;  // the policy failed: fail open (warned)
    const int64_t limit = rule->limit;
    const int64_t window_s = rule->window_s;
    if (limit <= 0 || window_s <= 0) return std::nullopt;  // unlimited
    const bool by_caller = rule->key_by_caller && caller.authenticated();
    std::string key = "admitd:rl:" + route.rate_category + ":" +
                      (by_caller ? "u:" + caller.subject : "ip:" + request.client_bucket);
    const double now_ms = static_cast<double>(clock_.now_us()) / 1000.0;
    const std::int64_t window_ms = window_s * 1000;
    const auto verdict = buckets_->take(key, now_ms, limit, window_ms);
    if (verdict.allowed) {
        // Counted in the shared bucket without waiting; the replies teach this host what the
        // other hosts used (see shared_bucket_sync.hpp for the bound that gives).
        shared_.count(key, static_cast<std::int64_t>(now_ms), limit, window_ms);
        return std::nullopt;
    }
    const std::string limit_s = std::to_string(limit);
    const std::int64_t retry_s = std::max<std::int64_t>(1, (verdict.retry_after_ms + 999) / 1000);
    auto response = http::Response::error(
        429, "RATE_LIMITED",
        "too many " + route.rate_category + " requests: at most " + limit_s + " per " +
            std::to_string(window_s) + " s; retry after " + std::to_string(retry_s) + " s",
        request.trace_id);
    response.set_header("Retry-After", std::to_string(retry_s));
    return response;
}

}  // namespace admit::runtime
