// IdempotencyGuard: `Idempotency-Key` on POST/PUT/PATCH/DELETE. The first request with a key
// runs; a replay from the same caller with the same key and the same request gets the first
// response again (header Idempotent-Replayed: true); a replay while the first is still running
// gets 409 IDEMPOTENCY_IN_FLIGHT; the same key with a different request gets 422
// IDEMPOTENCY_KEY_REUSED. A 5xx first response is not kept, so the client may retry; neither is
// one marked `Cache-Control: no-store` (tokens from login and refresh: credentials never sit in
// Redis), so a retry of such a request runs again.
//
// Routes registered with ADMIT_ROUTE_OWN_IDEMPOTENCY are left alone: they deduplicate by key in
// their own (durable) storage, and the guard would only add two Redis round trips.
// Records live in Redis for 24 h (in flight: 60 s, so a crashed request's key frees itself).
// Redis holds only what may be lost: plugins that must never act twice (holds, payments) also
// deduplicate in PostgreSQL. Redis down: the request runs without replay protection (logged).
//
// Thread-safety: before() and after() of one request run on one worker thread; the per-request
// state is thread-local. A deferred answer (another thread, later) gets that state moved into
// the work deferred_after() returns.
#pragma once

#include "host/pipeline/dispatcher.hpp"

namespace admit::store {
class RedisPool;
}

namespace admit::runtime {

class IdempotencyGuard final : public RequestGuard {
  public:
    explicit IdempotencyGuard(store::RedisPool& redis);

    std::optional<http::Response> before(const RouteEntry& route, const Caller& caller,
                                         const http::Request& request) override;
    void after(const RouteEntry& route, const Caller& caller, const http::Request& request,
               http::Response& response) override;
    // Takes the key this request owns off the worker thread, so the deferred answer is stored.
    std::function<void(http::Response&)> deferred_after(const RouteEntry& route,
                                                        const Caller& caller,
                                                        const http::Request& request) override;

  private:
    void store(const std::string& key, const std::string& fingerprint,
               const http::Response& response);

    store::RedisPool& redis_;
};

}  // namespace admit::runtime
