// Input rules for accounts: each rejection names its field.
#include "validation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace admit::auth {
namespace {

boost::json::object with_value(std::string_view field, boost::json::value value) {
    boost::json::object body;
    body[field] = std::move(value);
    return body;
}

boost::json::object with_field(std::string_view field, std::string_view text) {
    return with_value(field,
                      boost::json::value(boost::json::string_view(text.data(), text.size())));
}

TEST(Validation, AcceptsAndLowerCasesPlausibleEmails) {
    for (const char* ok : {"ada@example.com", "Ada.Lovelace+tickets@Mail.Example.org", "x@a.b"}) {
        auto email = valid_email(with_field("email", ok));
        ASSERT_TRUE(email.ok()) << ok;
        EXPECT_EQ(email->find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos);
    }
}

TEST(Validation, RefusesImplausibleEmailsNamingTheField) {
    const std::string long_local(65, 'a');
    for (const std::string& bad : std::vector<std::string>{
             "", "ada", "@example.com", "ada@", "ada@example", "ada@@example.com",
             "a b@example.com", "ada@example..com", "ada@.example.com", "ada@example.com.",
             long_local + "@example.com", std::string(250, 'a') + "@example.com",
             "ada@exa\x01mple.com"}) {
        auto email = valid_email(with_field("email", bad));
        ASSERT_FALSE(email.ok()) << bad;
        EXPECT_NE(email.error().message.find("'email'"), std::string::npos)
            << email.error().message;
    }
    EXPECT_FALSE(valid_email(boost::json::object{}).ok());
    EXPECT_FALSE(valid_email(with_value("email", 42)).ok());
}

TEST(Validation, PasswordsAreTenTo128Bytes) {
    EXPECT_TRUE(valid_password(with_field("password", std::string(10, 'x'))).ok());
    EXPECT_TRUE(valid_password(with_field("password", std::string(128, 'x'))).ok());
    auto short_one = valid_password(with_field("password", std::string(9, 'x')));
    ASSERT_FALSE(short_one.ok());
    EXPECT_NE(short_one.error().message.find("'password'"), std::string::npos);
    EXPECT_FALSE(valid_password(with_field("password", std::string(129, 'x'))).ok());
    EXPECT_FALSE(valid_password(boost::json::object{}).ok());
}

TEST(Validation, NamesAreTrimmedPrintableAndBounded) {
    EXPECT_EQ(*valid_name(with_field("name", "  Ada  ")), "Ada");
    EXPECT_TRUE(valid_name(with_field("name", "김철수")).ok());
    EXPECT_TRUE(valid_name(with_field("name", std::string(100, 'n'))).ok());
    for (const std::string& bad : std::vector<std::string>{
             std::string("   "), std::string(101, 'n'), std::string("tab\there"),
             std::string("\xc3"), std::string("\xff\xfe")}) {
        auto name = valid_name(with_field("name", bad));
        ASSERT_FALSE(name.ok()) << bad;
        EXPECT_NE(name.error().message.find("'name'"), std::string::npos);
    }
}

TEST(Validation, KnownRolesTiersAndStatuses) {
    EXPECT_TRUE(is_known_role("staff"));
    EXPECT_FALSE(is_known_role("root"));
    EXPECT_TRUE(is_known_tier("DIAMOND"));
    EXPECT_FALSE(is_known_tier("gold"));
    EXPECT_TRUE(is_known_status("suspended"));
    EXPECT_FALSE(is_known_status("deleted"));
    auto tier = optional_choice(with_field("tier", "PLATINUM"), "tier", &is_known_tier,
                                "none, SILVER, GOLD, DIAMOND");
    ASSERT_FALSE(tier.ok());
    EXPECT_NE(tier.error().message.find("'tier'"), std::string::npos);
    EXPECT_FALSE(optional_choice(boost::json::object{}, "tier", &is_known_tier, "")->has_value());
}

}  // namespace
}  // namespace admit::auth
