// What a plugin registers during init. Registrations are staged on the plugin's context and only
// published to the live tables (router, service registry, event bus, job scheduler, script
// registry) after init succeeded; a failed init simply drops them, which is the rollback.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "admit/abi.h"

namespace admit::runtime {

struct RouteContract;  // host/pipeline/route_contract.hpp

// Who may call a route: anyone, any authenticated caller, or the listed roles.
// The set of names a venue declares ([access] roles / rate_categories); the same type as
// admit::rules::Names, the rules plugin-api shares with the fake host.
using NameSet = std::set<std::string, std::less<>>;

struct RoleRule {
    enum class Kind { public_access, authenticated, roles } kind = Kind::roles;
    std::set<std::string, std::less<>> roles;

    // Parses "public", "authenticated" or "role_a,role_b". Every role must be in `declared`; an
    // empty list or an undeclared role fails with a message naming it and the declared ones.
    static bool parse(std::string_view text, const NameSet& declared, RoleRule& out,
                      std::string& error);
    std::string to_string() const;
};

struct RouteRegistration {
    std::string method;
    std::string path;
    RoleRule roles;
    std::string rate_category;
    std::string summary;
    bool own_idempotency = false;                   // ADMIT_ROUTE_OWN_IDEMPOTENCY
    std::shared_ptr<const RouteContract> contract;  // ABI 1.2; null when the plugin gave none
    admit_route_fn handler = nullptr;
    void* ctx = nullptr;
};

struct StreamRegistration {
    std::string path;
    RoleRule roles;
    std::string topic_template;
    std::string summary;
    std::shared_ptr<const RouteContract> contract;  // ABI 1.2; null when the plugin gave none
    admit_stream_open_fn on_open = nullptr;
    admit_stream_close_fn on_close = nullptr;  // ABI 1.3; null when the plugin gave none
    void* ctx = nullptr;
};

struct ServiceRegistration {
    std::string method;  // full name, "<plugin>.<method>"
    admit_service_fn fn = nullptr;
    void* ctx = nullptr;
};

struct SubscriptionRegistration {
    std::string topic;
    std::string subscriber;  // "<plugin>.<subscriber>"
    admit_event_fn handler = nullptr;
    void* ctx = nullptr;
    bool interactive = false;  // ADMIT_SUBSCRIPTION_INTERACTIVE
};

struct JobRegistration {
    std::string name;  // "<plugin>.<job>"
    uint64_t interval_ms = 0;
    admit_job_fn run = nullptr;
    void* ctx = nullptr;
};

struct MigrationRegistration {
    uint32_t version = 0;
    std::string name;
    std::string sql;
};

struct ScriptRegistration {
    std::string name;  // "<plugin>/<script>"
    std::string source;
};

struct AuthenticatorRegistration {
    admit_authenticate_fn fn = nullptr;
    void* ctx = nullptr;
};

struct Registrations {
    std::vector<RouteRegistration> routes;
    std::vector<StreamRegistration> streams;
    std::vector<ServiceRegistration> services;
    std::vector<SubscriptionRegistration> subscriptions;
    std::vector<JobRegistration> jobs;
    std::vector<MigrationRegistration> migrations;
    std::vector<ScriptRegistration> scripts;
    std::vector<AuthenticatorRegistration> authenticators;
};

}  // namespace admit::runtime
