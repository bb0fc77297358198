// Dispatcher: turns one HTTP request into a route call. Runs on a worker thread.
//
// Order of checks: OPTIONS and CORS preflights (answered here, never by a route) -> route match
// (404 / 405) -> traffic gate (503 until every plugin started) ->
// identity (the authenticator a plugin registered; client identity headers are never trusted) ->
// role rule of the route (401 / 403) -> request guards (rate limits, idempotency) -> the handler.
// Every answer, errors included, uses the standard error body with the request's trace id.
// Never throws: a handler that fails or throws yields 500 INTERNAL and is logged.
//
// Thread-safety: handle() is called concurrently; set_* only before traffic starts.
#pragma once

#include <functional>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "host/abi/runtime.hpp"
#include "host/http/request.hpp"
#include "host/http/response.hpp"
#include "host/pipeline/cookie_credentials.hpp"
#include "host/pipeline/cors_policy.hpp"
#include "host/pipeline/route_table.hpp"

namespace admit::runtime {

// A stage that may answer a request before its handler runs (rate limits), or wrap it
// (idempotency: replay a stored response, store the new one).
class RequestGuard {
  public:
    virtual ~RequestGuard() = default;
    // Returns a response to send instead of calling the handler, or nullopt to continue.
    virtual std::optional<http::Response> before(const RouteEntry& route, const Caller& caller,
                                                 const http::Request& request) = 0;
    // Sees the handler's response (may store or replace it). Called only when before() returned
    // nullopt, in the order the guards were added.
    virtual void after(const RouteEntry&, const Caller&, const http::Request&, http::Response&) {}
    // Instead of after() when the handler answers later, on another thread (Response::pending):
    // returns what after() would do, run then with the final response. It must carry what this
    // request left on this thread. The default calls after() then, for guards that keep no such
    // state. `route` and `request` outlive the returned work; `caller` is copied.
    virtual std::function<void(http::Response&)> deferred_after(const RouteEntry& route,
                                                                const Caller& caller,
                                                                const http::Request& request) {
        return [this, &route, caller, &request](http::Response& response) {
            after(route, caller, request, response);
        };
    }
};

class Dispatcher {
  public:
    explicit Dispatcher(Runtime& runtime);

    http::Response handle(http::Request& request);

    // Guards run in the order added.
    void add_guard(std::shared_ptr<RequestGuard> guard) { guards_.push_back(std::move(guard)); }
    // Cross-origin rules (off by default).
    void set_cors(CorsPolicy cors) { cors_ = std::move(cors); }
    // Cookie sessions and their CSRF check (off by default; cookie_credentials.hpp).
    void set_cookie_credentials(CookieCredentials cookies) { cookies_ = std::move(cookies); }
    // Plugin routes answer 503 until open_traffic(); built-ins (health, metrics) always answer.
    void open_traffic() { traffic_open_.store(true, std::memory_order_release); }
    void close_traffic() { traffic_open_.store(false, std::memory_order_release); }

    // Establishes the caller from "Authorization: Bearer ...", or else from the session cookie
    // when cookie sessions are on. Returns false when a token was sent and refused (the caller
    // stays anonymous).
    bool authenticate(const http::Request& request, Caller& caller) const;

  private:
    http::Response dispatch(http::Request& request);
    http::Response answer_options(const http::Request& request) const;
    /// A GET or HEAD of "/x/" that no route matches, where "/x" has a route: 308 to "/x" with
    /// the query kept (a typed or shared link with a trailing slash reaches its page). Nothing for
    /// other methods, or when the path would need percent-encoding in Location.
    std::optional<http::Response> trailing_slash_redirect(const http::Request& request) const;
    http::Response call_plugin(const RouteEntry& route, const Caller& caller,
                               const http::Request& request, std::string route_label);
    http::Response open_stream(const RouteEntry& route, const Caller& caller,
                               const http::Request& request, std::string route_label);

    Runtime& runtime_;
    std::vector<std::shared_ptr<RequestGuard>> guards_;
    std::atomic<bool> traffic_open_{false};
    CorsPolicy cors_{CorsRules{}};
    CookieCredentials cookies_{CookieRules{}};
};

// The ABI view of a caller; the strings stay owned by `caller`, which must outlive the view. Not
// copyable (`principal` points into the view's own arrays).
struct PrincipalView {
    explicit PrincipalView(const Caller& caller);
    PrincipalView(const PrincipalView&) = delete;
    PrincipalView& operator=(const PrincipalView&) = delete;

    std::vector<admit_str> roles;
    std::vector<admit_kv> claims;
    admit_principal principal{};
};

}  // namespace admit::runtime
