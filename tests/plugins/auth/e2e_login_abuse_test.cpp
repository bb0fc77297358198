// Credential stuffing and login floods (issue 13, item 5 and the keyed email hash): a per-account
// failure budget with exponential back-off that holds a right password during the wait, a hashing
// gate that refuses one IP's flood (429) while other IPs log in, and auth.login_failed naming the
// account by a keyed hash.
#include "auth_e2e_fixture.hpp"
#include "encoding.hpp"

#include <sodium.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

namespace admit::auth::testing {
namespace {

constexpr const char* kLoginHashKey = "a login hash key of at least 32 bytes, for tests";

class LoginBudget : public AuthEndToEnd {
  protected:
    LoginBudget()
        : AuthEndToEnd(Options{.manual_clock = true,
                               .auth_toml = "login_hash_key_env = \"ADMIT_TEST_LOGIN_HASH_KEY\"\n"
                                            "login_free_failures = 5\n"
                                            "login_backoff_seconds = 60\n"}) {}
    void SetUp() override {
        ::setenv("ADMIT_TEST_LOGIN_HASH_KEY", kLoginHashKey, 1);
        AuthEndToEnd::SetUp();
    }
    HttpResult attempt(const std::string& email, const std::string& password) {
        return post("/api/v1/auth/login", {{"email", email}, {"password", password}});
    }
};

TEST_F(LoginBudget, BackOffRefusesEvenTheRightPasswordUntilItEndsAndDoublesEachTime) {
    signup("victim@example.com");
    signup("bystander@example.com");
    admin();  // advance_clock logs in as the admin
    for (int i = 1; i <= 6; ++i) {
        auto wrong = attempt("victim@example.com", "guess number " + std::to_string(i));
        ASSERT_EQ(wrong.status, 401) << i << ": " << wrong.body;
        EXPECT_EQ(code_of(wrong), "INVALID_CREDENTIALS");
    }
    // The sixth failure started a wait of 60 s: the right password is refused during it.
    auto held = attempt("victim@example.com", kPassword);
    ASSERT_EQ(held.status, 429) << held.body;
    EXPECT_EQ(code_of(held), "RATE_LIMITED");
    EXPECT_EQ(held.headers["retry-after"], "60");
    const auto body = boost::json::parse(held.body).as_object();
    EXPECT_TRUE(body.contains("message") && body.contains("traceId")) << held.body;
    EXPECT_EQ(attempt("VICTIM@example.com ", kPassword).status, 429)
        << "the account is named by its normalised email";
    EXPECT_EQ(attempt("bystander@example.com", kPassword).status, 200)
        << "the budget is per account, not per IP";

    advance_clock(61);
    auto seventh = attempt("victim@example.com", "one more guess");
    EXPECT_EQ(seventh.status, 401) << "after the wait a guess is checked again";
    auto doubled = attempt("victim@example.com", kPassword);
    ASSERT_EQ(doubled.status, 429) << doubled.body;
    EXPECT_EQ(doubled.headers["retry-after"], "120") << "each further failure doubles the wait";

    advance_clock(121);
    EXPECT_EQ(attempt("victim@example.com", kPassword).status, 200);
    EXPECT_EQ(attempt("victim@example.com", "wrong again").status, 401);
    EXPECT_EQ(attempt("victim@example.com", kPassword).status, 200)
        << "a success forgot the earlier failures";
}

TEST_F(LoginBudget, UnknownEmailsAreCountedLikeKnownOnes) {
    for (int i = 1; i <= 6; ++i)
        ASSERT_EQ(attempt("nobody@example.com", "guess " + std::to_string(i)).status, 401);
    auto held = attempt("nobody@example.com", kPassword);
    EXPECT_EQ(held.status, 429) << "a budget only for existing accounts would reveal them";
}

TEST_F(LoginBudget, LoginFailedCarriesTheKeyedHashOfTheEmail) {
    signup("hashed@example.com");
    ASSERT_EQ(attempt("Hashed@Example.com", "wrong password!").status, 401);
    ASSERT_EQ(attempt("stranger@example.com", "wrong password!").status, 401);
    const auto hmac = [](const std::string& email) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state state;
        crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kLoginHashKey),
                                    std::strlen(kLoginHashKey));
        crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(email.data()),
                                      email.size());
        crypto_auth_hmacsha256_final(&state, mac);
        char hex[sizeof mac * 2 + 1];
        sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
        return std::string(hex);
    };
    std::vector<std::string> hashes;
    for (const auto& [topic, payload] : auth_events()) {
        if (topic == "auth.login_failed") hashes.emplace_back(payload.at("emailHash").as_string());
    }
    ASSERT_EQ(hashes.size(), 2u);
    EXPECT_EQ(hashes[0], hmac("hashed@example.com"));
    EXPECT_EQ(hashes[1], hmac("stranger@example.com"));
    EXPECT_NE(hashes[0], sha256_hex("hashed@example.com")) << "never a plain SHA-256";
}

TEST_F(LoginBudget, WithoutRedisTheBudgetFailsOpenAndLoginsStillWork) {
    signup("steady@example.com");
    storage_.stop_redis();
    for (int i = 1; i <= 7; ++i)
        EXPECT_EQ(attempt("steady@example.com", "guess " + std::to_string(i)).status, 401) << i;
    EXPECT_EQ(attempt("steady@example.com", kPassword).status, 200)
        << "a lost Redis does not lock every account out";
}

TEST(LoginBudgetSettings, AMisconfiguredBudgetOrAShortHashKeyRefusesToStart) {
    admit::testing::IsolatedStorage storage;
    ::setenv("ADMIT_TEST_SHORT_LOGIN_HASH_KEY", "too short", 1);
    const std::vector<std::pair<std::string, std::string>> cases{
        {"login_backoff_seconds = 0\n", "login_backoff_seconds"},
        {"login_free_failures = 0\n", "login_free_failures"},
        {"hash_queue_per_client = 0\n", "hash_queue_per_client"},
        {"login_hash_key_env = \"ADMIT_TEST_SHORT_LOGIN_HASH_KEY\"\n",
         "ADMIT_TEST_SHORT_LOGIN_HASH_KEY"}};
    for (const auto& [line, named] : cases) {
        admit::testing::TestVenue venue{.plugins = {"auth"},
                                        .extra_toml = "[plugin.auth]\n" + line};
        const auto path = admit::testing::write_temp_file(
            "venue.toml", admit::testing::venue_toml(venue, &storage));
        admit::testing::AdmitdProcess refused(ADMIT_ADMITD_BINARY, {"--config", path.string()});
        const auto status = refused.wait_exit();
        ASSERT_TRUE(status.has_value()) << line << refused.log();
        EXPECT_NE(*status, 0) << line;
        EXPECT_NE(refused.log().find(named), std::string::npos) << line << refused.log();
    }
}

class LoginFlood : public AuthEndToEnd {
  protected:
    LoginFlood() : AuthEndToEnd(Options{.server_toml = "trusted_proxies = [\"127.0.0.1/32\"]\n"}) {}
    HttpResult login_from(const std::string& ip, const std::string& email) {
        return request(
            "POST", "/api/v1/auth/login",
            boost::json::serialize(boost::json::object{{"email", email}, {"password", kPassword}}),
            "", {{"X-Forwarded-For", ip}});
    }
};

// The attack: one IP keeps many logins in flight (a small flood). Its calls beyond its share of
// the argon2 gate are refused with 429 at once; none is answered 503, and another IP's logins go
// through while the flood lasts.
TEST_F(LoginFlood, OneIpsFloodIsRefusedWhileAnotherIpLogsIn) {
    signup("flood@example.com");
    signup("calm@example.com");
    std::atomic<bool> stop{false};
    std::vector<std::future<std::multiset<int>>> flood;
    for (int t = 0; t < 12; ++t) {
        flood.push_back(std::async(std::launch::async, [&] {
            std::multiset<int> statuses;
            while (!stop.load())
                statuses.insert(login_from("198.51.100.7", "flood@example.com").status);
            return statuses;
        }));
    }
    std::multiset<int> calm;
    for (int i = 0; i < 5; ++i) calm.insert(login_from("203.0.113.9", "calm@example.com").status);
    stop = true;
    std::multiset<int> flooded;
    for (auto& f : flood) flooded.merge(f.get());
    EXPECT_EQ(calm.count(200), 5u) << "every login of the other IP went through";
    EXPECT_GT(flooded.count(429), 0u) << "the flood's calls beyond its share are refused";
    EXPECT_EQ(flooded.count(503), 0u) << "no login is answered OVERLOADED";
    EXPECT_GT(flooded.count(200), 0u) << "the flooding IP keeps its share";
    EXPECT_EQ(flooded.size(), flooded.count(200) + flooded.count(429));
}

}  // namespace
}  // namespace admit::auth::testing
