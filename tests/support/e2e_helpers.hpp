// Small helpers end-to-end tests share: waiting for a condition, one-statement PostgreSQL access
// to an admitd's database, reading a metric and a JSON answer.
#pragma once

#include "tests/support/http_test_client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace admit::testing {

/// Polls `condition` every 50 ms until it holds (true) or `timeout` passed (its last answer).
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));

/// The first column of the only row `sql` returns, as an integer (throws on anything else).
int64_t pg_scalar(const std::string& pg_url, const std::string& sql);
/// Runs `sql` (several statements allowed) outside a transaction block.
void pg_exec(const std::string& pg_url, const std::string& sql);

/// The value of an unlabelled metric line "name value" in a /metrics body; -1 when it is absent.
double metric_value(const std::string& metrics, const std::string& name);

/// The body as a JSON object; an empty object when it is not one.
boost::json::object json_object_of(const HttpResult& result);

/// Approves the self-registered seller of signup answer `signup` (its "id") as the admin whose
/// access token is `admin_token` (POST /api/v1/admin/sellers/{id}/approve on the admitd at
/// `port`): until then the seller's tokens carry the role customer. The approve answer; a signup
/// without an id gives status 0.
HttpResult approve_seller(uint16_t port, const HttpResult& signup, const std::string& admin_token);

/// Signs up `email` with role `role` and the tests' password "long-enough-pw" on the admitd at
/// `port`; a seller is then approved by the admin `admin_email` / `admin_password` (logged in for
/// it). The signup answer (201) when every step passed, else the answer of the step that failed.
HttpResult sign_up_approved(uint16_t port, const std::string& email, const std::string& role,
                            const std::string& admin_email, const std::string& admin_password);

}  // namespace admit::testing
