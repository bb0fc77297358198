#include "host/pipeline/idempotency_guard.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "host/pipeline/rate_limit_guard.hpp"
#include "host/store/redis_pool.hpp"

namespace admit::runtime {
namespace {

constexpr const char* kInFlightMs = "60000";
constexpr const char* kKeepMs = "86400000";

// The record key of the request being handled on this thread, set by before() when this request
// owns the key, consumed by after().
thread_local std::string owned_key;
thread_local std::string owned_fingerprint;

bool is_mutating(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool valid_key(std::string_view key) {
    if (key.empty() || key.size() > 255) return false;
    for (unsigned char c : key) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

// Distinguishes "same request again" from "same key, other request".
std::string fingerprint(const http::Request& request) {
    std::size_t h = std::hash<std::string_view>{}(request.method);
    h ^= std::hash<std::string_view>{}(request.path) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= std::hash<std::string_view>{}(request.body) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return std::to_string(h);
}

bool marked_no_store(const http::Response& response) {
    auto cache_control = response.header("Cache-Control");
    return cache_control && cache_control->find("no-store") != std::string_view::npos;
}

}  // namespace

IdempotencyGuard::IdempotencyGuard(store::RedisPool& redis) : redis_(redis) {}

std::optional<http::Response> IdempotencyGuard::before(const RouteEntry& route,
                                                       const Caller& caller,
                                                       const http::Request& request) {
    owned_key.clear();
    if (route.kind != RouteEntry::Kind::plugin || route.own_idempotency ||
        !is_mutating(request.method)) {
        return std::nullopt;
    }
    auto header = request.header("idempotency-key");
    if (!header) return std::nullopt;
    if (!valid_key(*header)) {
        return http::Response::error(
            400, "INVALID_REQUEST",
            "header 'Idempotency-Key' must be 1-255 printable ASCII characters", request.trace_id);
    }
    std::string who =
        caller.authenticated() ? "u:" + caller.subject : "ip:" + request.client_bucket;
    // Length-prefixed scope: no subject, IPv6 bucket and key can run into another's.
    std::string key =
        "admitd:idem:" + std::to_string(who.size()) + ":" + who + ":" + std::string(*header);
    std::string print = fingerprint(request);
    std::string marker =
        boost::json::serialize(boost::json::object{{"f", print}, {"inflight", true}});

    std::string_view set_nx[] = {"SET", key, marker, "NX", "PX", kInFlightMs};
    auto claimed = redis_.command(set_nx);
    if (!claimed) {
        spdlog::warn("idempotency keys not enforced (Redis: {})", claimed.error().message);
        return std::nullopt;
    }
    if (claimed->type == store::RedisReply::Type::Status) {  // "OK": this request owns the key
        owned_key = std::move(key);
        owned_fingerprint = std::move(print);
        return std::nullopt;
    }
    std::string_view get[] = {"GET", key};
    auto stored = redis_.command(get);
    if (!stored || stored->type != store::RedisReply::Type::String) {
        return http::Response::error(409, "IDEMPOTENCY_IN_FLIGHT",
                                     "a request with this Idempotency-Key is still being processed",
                                     request.trace_id);
    }
    boost::system::error_code ec;
    auto record = boost::json::parse(stored->str, ec);
    const auto* o = record.if_object();
    if (ec || o == nullptr) return std::nullopt;
    const auto* f = o->if_contains("f");
    if (f == nullptr || !f->is_string() || f->as_string() != print) {
        return http::Response::error(422, "IDEMPOTENCY_KEY_REUSED",
                                     "this Idempotency-Key was used for a different request",
                                     request.trace_id);
    }
    if (o->contains("inflight")) {
        auto r = http::Response::error(
            409, "IDEMPOTENCY_IN_FLIGHT",
            "a request with this Idempotency-Key is still being processed", request.trace_id);
        r.set_header("Retry-After", "1");
        return r;
    }
    http::Response replay;
    replay.status = static_cast<int>(o->at("s").as_int64());
    replay.content_type = std::string(o->at("ct").as_string());
    replay.body = std::string(o->at("b").as_string());
    replay.set_header("Idempotent-Replayed", "true");
    return replay;
}

void IdempotencyGuard::after(const RouteEntry&, const Caller&, const http::Request&,
                             http::Response& response) {
    if (owned_key.empty()) return;
    std::string key = std::move(owned_key);
    owned_key.clear();
    store(key, owned_fingerprint, response);
}

std::function<void(http::Response&)> IdempotencyGuard::deferred_after(const RouteEntry&,
                                                                      const Caller&,
                                                                      const http::Request&) {
    if (owned_key.empty()) return [](http::Response&) {};
    std::string key = std::move(owned_key);
    owned_key.clear();
    return [this, key = std::move(key), fingerprint = owned_fingerprint](http::Response& response) {
        store(key, fingerprint, response);
    };
}

void IdempotencyGuard::store(const std::string& key, const std::string& fingerprint,
                             const http::Response& response) {
    // A 5xx may succeed on retry; a response marked no-store (login and refresh tokens) must not
    // sit in Redis for a day: either way the key is freed and a retry runs again.
    if (response.status >= 500 || marked_no_store(response)) {
        std::string_view del[] = {"DEL", key};
        (void)redis_.command(del);
        return;
    }
    std::string record = boost::json::serialize(boost::json::object{{"f", fingerprint},
                                                                    {"s", response.status},
                                                                    {"ct", response.content_type},
                                                                    {"b", response.payload()}});
    std::string_view set[] = {"SET", key, record, "PX", kKeepMs};
    if (auto r = redis_.command(set); !r) {
        spdlog::warn("idempotency record not stored: {}", r.error().message);
    }
}

}  // namespace admit::runtime
