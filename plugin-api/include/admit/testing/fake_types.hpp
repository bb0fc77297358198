// Value types a test sees when it drives plugins through admit::testing::FakeHost.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::testing {

/// An owned principal for test requests and service calls. Default: anonymous. A test principal has
/// one role (none when empty) and one claim, "tier" (the claim the ticketing plugins price by).
struct TestPrincipal {
    std::string subject;
    std::string role;
    std::string tier = "none";
    std::string session;

    static TestPrincipal anonymous() { return {}; }
    static TestPrincipal user(std::string subject, std::string role = "customer",
                              std::string tier = "none") {
        return {std::move(subject), std::move(role), std::move(tier), {}};
    }

    /// The ABI view: valid while both this principal and the view live, unmoved (not copyable).
    struct Raw {
        explicit Raw(const TestPrincipal& p) noexcept
            : role(sdk::to_abi(p.role)), tier{sdk::to_abi("tier"), sdk::to_abi(p.tier)} {
            principal.size = sizeof principal;
            principal.subject = sdk::to_abi(p.subject);
            principal.roles = &role;
            principal.role_count = p.role.empty() ? 0 : 1;
            principal.claims = &tier;
            principal.claim_count = 1;
            principal.session = sdk::to_abi(p.session);
        }
        Raw(const Raw&) = delete;
        Raw& operator=(const Raw&) = delete;
        admit_str role;
        admit_kv tier;
        admit_principal principal{};
    };
};

/// What a route answered.
struct FakeResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool borrowed =
        false;  ///< the body came through response_body_borrowed (no copy on a real host)
    std::string content_type;  ///< empty: application/json
    admit_status handler_status = ADMIT_OK;

    /// The body as JSON; throws on invalid JSON (a test failure, not a plugin condition).
    boost::json::value json() const { return boost::json::parse(body); }
    /// The "code" of a standard error body, empty otherwise.
    std::string error_code() const {
        boost::system::error_code ec;
        auto value = boost::json::parse(body, ec);
        if (ec || !value.is_object()) return {};
        const auto* code = value.as_object().if_contains("code");
        return (code && code->is_string()) ? std::string(code->as_string()) : std::string{};
    }
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [key, value] : headers) {
            if (key == name) return value;
        }
        return std::nullopt;
    }
};

struct LogLine {
    std::string plugin;
    int32_t level;  ///< ADMIT_LOG_*
    std::string message;
};

/// One db_exec call, as the test's database answerer sees it.
struct DbCall {
    std::string plugin;
    std::string sql;
    std::vector<std::optional<std::string>> params;  ///< nullopt = SQL NULL
    bool in_transaction = false;
};

/// An event committed through a fake transaction (also what subscribers receive).
struct PublishedEvent {
    std::string plugin;  ///< publisher ("" when injected by the test)
    std::string id;
    std::string topic;
    std::string key;
    std::string payload;
    int64_t published_at_us = 0;
};

/// A subscriber that returned an error (the real host would retry, then park the event).
struct FailedDelivery {
    std::string plugin;
    std::string subscriber;
    std::string event_id;
    admit_status status = ADMIT_OK;
    std::string message;
};

struct StreamMessage {
    std::string plugin;
    std::string topic;
    std::string event_name;
    std::string data;
    std::string id = {};  ///< the SSE id (Last-Event-ID), empty when none
};

struct EnqueuedJob {
    std::string plugin;
    std::string name;
    int64_t run_at_us = 0;
    std::string payload;
    bool in_transaction = false;
};

struct RegisteredMigration {
    std::string plugin;
    uint32_t version = 0;
    std::string name;
    std::string sql;
};

struct RegisteredRoute {
    std::string plugin;
    std::string method;
    std::string path;
    std::string roles;
    std::string rate_category;
    std::string summary;
};

/// An outbound HTTP request a plugin sent through the fake host (http_request), as the test's
/// HttpFn sees it and as FakeHost::http_calls() records it.
struct HttpCall {
    std::string plugin;
    std::string method;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;  ///< as the plugin gave them
    std::string body;
    uint32_t connect_timeout_ms = 0;
    uint32_t read_timeout_ms = 0;
    uint32_t max_attempts = 0;

    /// The first header whose name matches `name` case-insensitively, or "".
    std::string header(std::string_view name) const {
        for (const auto& [key, value] : headers) {
            if (key.size() == name.size() &&
                std::equal(key.begin(), key.end(), name.begin(),
                           [](char a, char b) { return (a | 0x20) == (b | 0x20); })) {
                return value;
            }
        }
        return {};
    }
};

/// A scripted upstream answer: an HTTP response (status, lower-case headers, body), or an Error
/// with the status the real host would give (Error::unavailable for "not sent",
/// Error{ADMIT_E_TIMEOUT, ...} for "sent, no answer").
struct HttpAnswer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers = {};
    std::string body = {};
};

}  // namespace admit::testing
