// RouteTable: every route admitd serves — plugin routes, SSE streams and the host's own built-in
// routes — with who may call them. Built before traffic starts; read-only afterwards, so match()
// needs no lock.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "admit/abi.h"
#include "host/common/result.hpp"
#include "host/http/request.hpp"
#include "host/http/response.hpp"
#include "host/http/router.hpp"
#include "host/pipeline/route_contract.hpp"
#include "host/plugins/registrations.hpp"

namespace admit::runtime {

// The caller of a request as the dispatcher established it.
// Who is calling, as the authenticator established it. The host interprets only the roles (against
// a route's rule); claims are carried to plugins unread.
struct Caller {
    std::string subject;
    std::vector<std::string> roles;
    std::vector<std::pair<std::string, std::string>> claims;
    std::string session;
    bool authenticated() const { return !subject.empty(); }
    bool has_role(std::string_view role) const {
        for (const auto& r : roles) {
            if (r == role) return true;
        }
        return false;
    }
    // "a,b" for messages; "none" when there are no roles.
    std::string roles_text() const {
        std::string out;
        for (const auto& r : roles) out += (out.empty() ? "" : ",") + r;
        return out.empty() ? "none" : out;
    }
};

// What a built-in route handler gets.
struct BuiltinCall {
    const http::Request& request;
    const Caller& caller;
};
using BuiltinHandler = std::function<http::Response(const BuiltinCall&)>;

struct RouteEntry {
    enum class Kind { plugin, stream, builtin };
    Kind kind = Kind::plugin;
    std::string plugin;  // owner; "admitd" for built-ins
    std::string method;
    std::string path_template;
    RoleRule roles;
    std::string rate_category;
    std::string summary;
    bool own_idempotency = false;  // the plugin replays Idempotency-Key requests itself
    // What the route promises and expects (validation and /openapi.json); null: no contract.
    std::shared_ptr<const RouteContract> contract;
    // Set by builtin_route when its contract text does not compile: add() refuses the entry.
    std::string contract_problem;
    // Kind::plugin
    admit_route_fn handler = nullptr;
    void* ctx = nullptr;
    // Kind::stream
    std::string topic_template;
    admit_stream_open_fn on_open = nullptr;
    admit_stream_close_fn on_close = nullptr;
    // Kind::builtin
    BuiltinHandler builtin;
    // Keeps the plugin library mapped while the route can run.
    std::shared_ptr<boost::dll::shared_library> keep_alive;
};

using RoutePtr = std::shared_ptr<const RouteEntry>;

class RouteTable {
  public:
    // Errors: ROUTE_INVALID_TEMPLATE, ROUTE_INVALID_METHOD, ROUTE_DUPLICATE (also for an
    // operationId already in use), INVALID_ARGUMENT (the entry's contract_problem).
    Status add(RouteEntry entry);
    // Would add() accept routes with these operationIds (empty ones are skipped)? Changes nothing.
    Status can_add_operation_ids(const std::vector<std::string>& ids) const;
    // Would add() accept all of these (method, template) pairs, together? Changes nothing.
    Status can_add_all(const std::vector<std::pair<std::string, std::string>>& routes) const;
    http::RouteMatch<RoutePtr> match(std::string_view method, std::string_view path) const {
        return router_.match(method, path);
    }
    const std::vector<RoutePtr>& entries() const { return entries_; }

  private:
    http::Router<RoutePtr> router_;
    std::vector<RoutePtr> entries_;
    std::set<std::string, std::less<>> operation_ids_;
};

// Replaces "{name}" in a topic template with the request's path parameters.
std::string substitute_params(std::string_view topic_template,
                              const std::vector<http::PathParam>& params);

}  // namespace admit::runtime
