// Where signing keys may come from (issue 13, item 3): a venue without the environment key refuses
// to start unless it says it is a development venue, and once the environment key signs, every key
// whose private seed sat in PostgreSQL stops verifying, leaves the JWKS and loses its seed.
#include "auth_e2e_fixture.hpp"
#include "token_forge.hpp"

#include <pqxx/pqxx>

#include <cstdlib>

namespace admit::auth::testing {
namespace {

class DatabaseKeys : public AuthEndToEnd {
  protected:
    DatabaseKeys() : AuthEndToEnd(Options{.key_from_environment = false}) {}
    void TearDown() override { ::unsetenv("ADMIT_TEST_AUTH_KEY_UNSET"); }

    long long stored_seeds() {
        pqxx::connection connection(storage_.pg_url());
        pqxx::read_transaction tx(connection);
        return tx.exec1("SELECT count(*) FROM auth.signing_keys WHERE private_seed IS NOT NULL")[0]
            .as<long long>();
    }
    std::vector<std::string> jwks_kids() {
        auto jwks = get("/.well-known/jwks.json");
        EXPECT_EQ(jwks.status, 200) << jwks.body;
        std::vector<std::string> kids;
        const auto parsed = boost::json::parse(jwks.body);  // kept: the loop reads into it
        for (const auto& key : parsed.at("keys").as_array())
            kids.emplace_back(key.at("kid").as_string());
        return kids;
    }
};

TEST_F(DatabaseKeys, TheEnvironmentKeyWithdrawsEveryDatabaseKeyAndErasesItsSeed) {
    signup("switching@example.com");
    const auto before = login("switching@example.com");
    const auto boss = admin();
    ASSERT_EQ(request("POST", "/api/v1/admin/auth/signing-keys/rotate", "", boss.access).status,
              200);  // one retired database key and one signing one
    const std::string database_kid(header_of(before.access).at("kid").as_string());
    ASSERT_EQ(stored_seeds(), 2);

    // The operator deploys a seed in the environment variable the venue names.
    const std::string seed = new_environment_key();
    ::setenv("ADMIT_TEST_AUTH_KEY_UNSET", seed.c_str(), 1);
    restart_admitd();

    EXPECT_EQ(get("/api/v1/auth/me", before.access).status, 401)
        << "a token of a key whose seed sat in PostgreSQL stops verifying at once";
    EXPECT_EQ(get("/api/v1/auth/me", boss.access).status, 401);
    EXPECT_EQ(jwks_kids(), std::vector<std::string>{key_->kid})
        << "only the environment key is published";
    EXPECT_EQ(stored_seeds(), 0) << "no private seed is left in PostgreSQL";
    const auto after = login("switching@example.com");
    EXPECT_EQ(header_of(after.access).at("kid").as_string(), key_->kid);
    EXPECT_EQ(get("/api/v1/auth/me", after.access).status, 200);

    restart_admitd();  // the withdrawal is durable: a later start does not bring them back
    EXPECT_EQ(get("/api/v1/auth/me", before.access).status, 401);
    EXPECT_EQ(get("/api/v1/auth/me", after.access).status, 200);
}

TEST(SigningKeySource, AVenueWithoutTheEnvironmentKeyOrTheDevelopmentFlagRefusesToStart) {
    admit::testing::IsolatedStorage storage;
    ::unsetenv("ADMIT_TEST_AUTH_KEY_ABSENT");
    const std::string section = "[plugin.auth]\nsigning_key_env = \"ADMIT_TEST_AUTH_KEY_ABSENT\"\n";
    admit::testing::TestVenue production{
        .plugins = {"auth"}, .extra_toml = section, .auth_development_keys = false};
    const auto venue = admit::testing::write_temp_file(
        "venue.toml", admit::testing::venue_toml(production, &storage));
    admit::testing::AdmitdProcess refused(ADMIT_ADMITD_BINARY, {"--config", venue.string()});
    const auto status = refused.wait_exit();
    ASSERT_TRUE(status.has_value()) << "admitd kept running:\n" << refused.log();
    EXPECT_NE(*status, 0);
    EXPECT_NE(refused.log().find("ADMIT_TEST_AUTH_KEY_ABSENT"), std::string::npos) << refused.log();
    EXPECT_NE(refused.log().find("development_keys = true"), std::string::npos) << refused.log();
    {
        pqxx::connection connection(storage.pg_url());
        pqxx::read_transaction tx(connection);
        auto tables = tx.exec1(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'auth' AND "
            "table_name = 'signing_keys'")[0];
        if (tables.as<long long>() > 0) {
            EXPECT_EQ(tx.exec1("SELECT count(*) FROM auth.signing_keys")[0].as<long long>(), 0)
                << "no key was generated";
        }
    }

    admit::testing::TestVenue development{.plugins = {"auth"}, .extra_toml = section};
    const auto dev_venue = admit::testing::write_temp_file(
        "venue.toml", admit::testing::venue_toml(development, &storage));
    admit::testing::AdmitdProcess serving(ADMIT_ADMITD_BINARY, {"--config", dev_venue.string()});
    EXPECT_TRUE(serving.wait_until_serving().has_value()) << serving.log();
}

}  // namespace
}  // namespace admit::auth::testing
