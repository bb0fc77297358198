// Definitions of the ABI's opaque handles that the runtime hands to plugins for the duration of one
// call (see abi.h for their lifetimes). Only the runtime's own .cpp files include this.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admit/abi.h"
#include "host/events/event_bus.hpp"
#include "host/http/pending_reply.hpp"
#include "host/http/response.hpp"
#include "host/store/commit_hooks.hpp"

namespace admit::observe {
class Counter;
class Gauge;
class Histogram;
}  // namespace admit::observe
namespace pqxx {
class transaction_base;
}

// A route handler's response: the http::Response the dispatcher will send.
struct admit_response {
    admit::http::Response* response = nullptr;
    std::string_view trace_id;
    bool written = false;     // set by every response_* call
    bool deferrable = false;  // a route handler's (response_defer may take it)
    // Set by response_defer: the answer comes through it. A copy of admit_deferred::reply, since
    // the plugin may finish (and free) the admit_deferred before its handler has returned.
    std::shared_ptr<admit::http::PendingReply> deferred_reply;
};

// A response answered later (ABI 1.6): created by response_defer, freed by deferred_finish. It
// owns what the plugin writes (`handle` points at `response`, its trace id at `trace_id`, so
// nothing refers to the request, which may be gone after a timeout) and the reply the connection
// awaits.
struct admit_deferred {
    admit::http::Response response;
    std::string trace_id;
    admit_response handle;
    std::shared_ptr<admit::http::PendingReply> reply;
};

// The principal an authenticator produced. `declared_roles` (set by the dispatcher before the call)
// is what principal_set checks roles against.
struct admit_principal_out {
    const std::set<std::string, std::less<>>* declared_roles = nullptr;
    std::string subject;
    std::vector<std::string> roles;
    std::vector<std::pair<std::string, std::string>> claims;
    std::string session;
    bool set = false;
};

// A database transaction: valid inside one db_transaction callback or subscriber call.
// `deferred_events`, when set (db_transaction), collects event_publish calls; they are written
// with one statement when the body succeeds, just before COMMIT. Otherwise each is written at once.
// `hooks` collects tx_before_commit and tx_on_commit work (always set by the host); the
// transaction's runner runs them. `before_commit_status`, when set (db_transaction), receives the
// status of before-commit work that failed, which db_transaction then returns.
struct admit_tx {
    pqxx::transaction_base* tx = nullptr;
    admit_host* owner = nullptr;  // the plugin whose callback holds it
    std::vector<admit::events::EventBus::Outgoing>* deferred_events = nullptr;
    admit::store::CommitHooks* hooks = nullptr;
    admit_status* before_commit_status = nullptr;
};

// A registered metric of a plugin.
struct admit_metric {
    uint32_t kind = ADMIT_METRIC_COUNTER;
    admit::observe::Counter* counter = nullptr;
    admit::observe::Gauge* gauge = nullptr;
    admit::observe::Histogram* histogram = nullptr;
};
