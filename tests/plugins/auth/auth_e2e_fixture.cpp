#include "auth_e2e_fixture.hpp"

#include "encoding.hpp"

#include <sodium.h>
#include <pqxx/pqxx>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace admit::auth::testing {

void AuthEndToEnd::SetUp() {
    ASSERT_GE(sodium_init(), 0);
    std::string extra = "[plugin.auth]\nissuer = \"admit-test\"\naudience = \"admit-test-api\"\n";
    if (options_.key_from_environment) {
        new_environment_key();
        extra += "signing_key_env = \"ADMIT_TEST_AUTH_KEY\"\n";
    } else {
        extra += "signing_key_env = \"ADMIT_TEST_AUTH_KEY_UNSET\"\n";
        ::unsetenv("ADMIT_TEST_AUTH_KEY_UNSET");
    }
    extra += options_.auth_toml;
    if (options_.maintenance_interval_seconds > 0) {
        extra += "maintenance_interval_seconds = " +
                 std::to_string(options_.maintenance_interval_seconds) + "\n";
    }
    admit::testing::TestVenue venue;
    venue.plugins = {"auth"};
    venue.manual_clock = options_.manual_clock;
    venue.server_toml = options_.server_toml;
    venue.extra_toml = extra;
    std::string toml = admit::testing::venue_toml(venue, &storage_);
    if (!options_.real_rate_limits) {
        const std::string repository_policies = "dir = \"" ADMIT_TEST_SOURCE_DIR "/policies\"";
        const auto at = toml.find(repository_policies);
        ASSERT_NE(at, std::string::npos) << toml;
        toml.replace(at, repository_policies.size(),
                     "dir = \"" + relaxed_policies().string() + "\"");
    }
    venue_ = admit::testing::write_temp_file("venue.toml", toml);
    restart_admitd();
}

void AuthEndToEnd::restart_admitd() {
    admitd_.reset();
    admitd_ = std::make_unique<admit::testing::AdmitdProcess>(
        ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_.string()});
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

std::string AuthEndToEnd::new_environment_key() {
    std::string seed(32, '\0');
    randombytes_buf(seed.data(), seed.size());
    const std::string seed_text = base64url_encode(seed);
    key_ = *SigningKey::from_seed_text(seed_text, 0);
    ::setenv("ADMIT_TEST_AUTH_KEY", seed_text.c_str(), 1);
    return seed_text;
}

std::filesystem::path AuthEndToEnd::relaxed_policies() {
    static const std::filesystem::path folder = [] {
        const auto dir = admit::testing::write_temp_file("ratelimits.lua", "").parent_path();
        for (const auto& entry :
             std::filesystem::directory_iterator(ADMIT_TEST_SOURCE_DIR "/policies")) {
            if (entry.path().extension() != ".lua") continue;
            std::ifstream in(entry.path());
            std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
            for (const std::string from : {"auth = { limit = 10,", "limit = 10, windowSeconds"}) {
                const auto at = text.find(from);
                if (at != std::string::npos)
                    text.replace(at, from.size(),
                                 std::string(from).replace(from.find("10"), 2, "100000"));
            }
            std::ofstream(dir / entry.path().filename()) << text;
        }
        return dir;
    }();
    return folder;
}

HttpResult AuthEndToEnd::request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& access_token,
                                 std::map<std::string, std::string> headers) {
    if (!body.empty()) headers.emplace("Content-Type", "application/json");
    if (!access_token.empty()) headers.emplace("Authorization", "Bearer " + access_token);
    return admit::testing::http_request(port_, method, path, body, headers);
}

HttpResult AuthEndToEnd::post(const std::string& path, const boost::json::value& body,
                              const std::string& token) {
    return request("POST", path, boost::json::serialize(body), token);
}

HttpResult AuthEndToEnd::get(const std::string& path, const std::string& token) {
    return request("GET", path, "", token);
}

std::string AuthEndToEnd::code_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object() || !value.as_object().contains("code"))
        return "<no code: " + result.body + ">";
    return std::string(value.as_object().at("code").as_string());
}

bool AuthEndToEnd::names_field(const HttpResult& result, const std::string& field) {
    return result.body.find("'" + field + "'") != std::string::npos ||
           result.body.find("body." + field + ":") != std::string::npos;
}

std::string AuthEndToEnd::signup(const std::string& email, const std::string& role) {
    auto r =
        post("/api/v1/auth/signup",
             {{"email", email}, {"password", kPassword}, {"name", "Test User"}, {"role", role}});
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return std::string(boost::json::parse(r.body).at("id").as_string());
}

Session AuthEndToEnd::login(const std::string& email, const std::string& password) {
    auto r = post("/api/v1/auth/login", {{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    const auto body = boost::json::parse(r.body).as_object();
    return {std::string(body.at("accessToken").as_string()),
            std::string(body.at("refreshToken").as_string()),
            std::string(body.at("user").at("id").as_string())};
}

admit::testing::CommandResult AuthEndToEnd::admitd_command(const std::vector<std::string>& args) {
    std::vector<std::string> all{"--config", venue_.string()};
    all.insert(all.end(), args.begin(), args.end());
    return admit::testing::run_command(ADMIT_ADMITD_BINARY, all);
}

Session AuthEndToEnd::admin() {
    if (admin_) return *admin_;
    ::setenv("ADMIT_TEST_ADMIN_PASSWORD", "an admin password", 1);
    auto made = admitd_command({"admin", "create", "--email", "root@example.com", "--password-env",
                                "ADMIT_TEST_ADMIN_PASSWORD", "--name", "Root"});
    EXPECT_EQ(made.status, 0) << made.output;
    admin_ = login("root@example.com", "an admin password");
    return *admin_;
}

void AuthEndToEnd::advance_clock(int64_t seconds) {
    const auto boss =
        login("root@example.com", "an admin password");  // a fresh token at the current time
    auto r = request("POST", "/api/v1/admin/clock",
                     boost::json::serialize(boost::json::object{{"advanceSeconds", seconds}}),
                     boss.access);
    ASSERT_EQ(r.status, 200) << r.body;
}

std::vector<std::pair<std::string, boost::json::object>> AuthEndToEnd::auth_events() {
    pqxx::connection connection(storage_.pg_url());
    pqxx::read_transaction tx(connection);
    std::vector<std::pair<std::string, boost::json::object>> out;
    for (const auto& row : tx.exec("SELECT topic, payload FROM admit.event_outbox WHERE topic LIKE "
                                   "'auth.%' ORDER BY id")) {
        out.emplace_back(row[0].c_str(), boost::json::parse(row[1].c_str()).as_object());
    }
    return out;
}

}  // namespace admit::auth::testing
