#include "tests/support/e2e_helpers.hpp"

#include <cstdlib>

#include <pqxx/pqxx>

#include <thread>

namespace admit::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
}

int64_t pg_scalar(const std::string& pg_url, const std::string& sql) {
    pqxx::connection connection(pg_url);
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
}

void pg_exec(const std::string& pg_url, const std::string& sql) {
    pqxx::connection connection(pg_url);
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

double metric_value(const std::string& metrics, const std::string& name) {
    const auto at = metrics.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::strtod(metrics.c_str() + at + name.size() + 2, nullptr);
}

boost::json::object json_object_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object()) return {};
    return std::move(value.as_object());
}

HttpResult approve_seller(uint16_t port, const HttpResult& signup, const std::string& admin_token) {
    const auto user = json_object_of(signup);
    const auto* id = user.if_contains("id");
    if (id == nullptr || !id->is_string()) return {0, {}, "", "the signup answer has no id"};
    return http_request(port, "POST",
                        "/api/v1/admin/sellers/" + std::string(id->as_string()) + "/approve", "",
                        {{"Authorization", "Bearer " + admin_token}});
}

HttpResult sign_up_approved(uint16_t port, const std::string& email, const std::string& role,
                            const std::string& admin_email, const std::string& admin_password) {
    const std::map<std::string, std::string> content{{"Content-Type", "application/json"}};
    boost::json::object account;
    account["email"] = email;
    account["password"] = "long-enough-pw";
    account["name"] = "E2E";
    account["role"] = role;
    auto signup =
        http_request(port, "POST", "/api/v1/auth/signup", boost::json::serialize(account), content);
    if (signup.status != 201 || role != "seller") return signup;
    boost::json::object admin_login;
    admin_login["email"] = admin_email;
    admin_login["password"] = admin_password;
    auto admin = http_request(port, "POST", "/api/v1/auth/login",
                              boost::json::serialize(admin_login), content);
    const auto admin_body = json_object_of(admin);
    const auto* token = admin_body.if_contains("accessToken");
    if (admin.status != 200 || token == nullptr || !token->is_string()) return admin;
    auto approved = approve_seller(port, signup, std::string(token->as_string()));
    return approved.status == 200 ? signup : approved;
}

}  // namespace admit::testing
