// The notification plugin's template engine, template files and back-off schedule (no servers).
#include "delivery_worker.hpp"
#include "message_template.hpp"
#include "notice_catalog.hpp"
#include "template_set.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace admit::notification {
namespace {

namespace fs = std::filesystem;

TEST(MessageTemplate, FillsPlaceholdersFromNestedData) {
    auto parsed =
        MessageTemplate::parse("Paid {{ total.amount }} {{total.currency}} for {{id}}.", "t.txt");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    auto text = parsed->render(
        boost::json::object{{"id", "rsv_1"}, {"total", {{"amount", 150000}, {"currency", "KRW"}}}});
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(*text, "Paid 150000 KRW for rsv_1.");
    EXPECT_EQ(parsed->names(), (std::vector<std::string>{"total.amount", "total.currency", "id"}));
}

TEST(MessageTemplate, AMissingValueIsAnErrorNotABlank) {
    auto parsed = MessageTemplate::parse("Link: {{qrUrl}}", "ticket_issued.txt");
    ASSERT_TRUE(parsed.ok());
    for (const auto& data : {boost::json::object{}, boost::json::object{{"qrUrl", nullptr}},
                             boost::json::object{{"qrUrl", boost::json::object{}}}}) {
        auto text = parsed->render(data);
        ASSERT_FALSE(text.ok()) << *text;
        EXPECT_NE(text.error().message.find("qrUrl"), std::string::npos) << text.error().message;
    }
}

TEST(MessageTemplate, MalformedTextNamesFileAndLine) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"line one\nHello {{name", "t.txt:2"},
        {"Hello {{}}", "t.txt:1"},
        {"Hello {{ na me }}", "t.txt:1"},
        {"{{a\n}}", "t.txt:1"},
    };
    for (const auto& [text, where] : cases) {
        auto parsed = MessageTemplate::parse(text, "t.txt");
        ASSERT_FALSE(parsed.ok()) << text;
        EXPECT_NE(parsed.error().message.find(where), std::string::npos) << parsed.error().message;
    }
}

class TemplateFolder : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("notification-templates-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "en");
        fs::create_directories(dir_ / "ko");
    }
    void TearDown() override { fs::remove_all(dir_); }
    void write(const std::string& path, const std::string& text) {
        std::ofstream(dir_ / path) << text;
    }
    fs::path dir_;
};

TEST_F(TemplateFolder, RendersTheUsersLanguageElseTheDefault) {
    write("en/hello.txt", "Hello {{name}}\n---\nWelcome, {{name}}.\n");
    write("ko/hello.txt", "안녕하세요 {{name}}\n---\n환영합니다.\n");
    auto set = TemplateSet::load(dir_.string(), "en", {"hello"});
    ASSERT_TRUE(set.ok()) << set.error().message;
    const boost::json::object data{{"name", "Ada"}};
    EXPECT_EQ(set->render("hello", "ko", data)->subject, "안녕하세요 Ada");
    auto fallback = set->render("hello", "fr", data);
    ASSERT_TRUE(fallback.ok());
    EXPECT_EQ(fallback->subject, "Hello Ada");
    EXPECT_EQ(fallback->body, "Welcome, Ada.\n");
}

TEST_F(TemplateFolder, StartupErrorsNameWhatIsWrong) {
    write("en/hello.txt", "Hello {{name}}\n---\nBody\n");
    auto missing_kind = TemplateSet::load(dir_.string(), "en", {"hello", "bye"});
    ASSERT_FALSE(missing_kind.ok());
    EXPECT_NE(missing_kind.error().message.find("en/bye.txt"), std::string::npos)
        << missing_kind.error().message;

    write("ko/hello.txt", "no separator here");
    auto no_separator = TemplateSet::load(dir_.string(), "en", {"hello"});
    ASSERT_FALSE(no_separator.ok());
    EXPECT_NE(no_separator.error().message.find("ko/hello.txt"), std::string::npos);
    EXPECT_NE(no_separator.error().message.find("---"), std::string::npos);

    write("ko/hello.txt", "Hi\n---\nBroken {{ here\n");
    auto broken = TemplateSet::load(dir_.string(), "en", {"hello"});
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(broken.error().message.find("ko/hello.txt:3"), std::string::npos)
        << broken.error().message;

    auto no_folder = TemplateSet::load((dir_ / "nope").string(), "en", {"hello"});
    ASSERT_FALSE(no_folder.ok());
    EXPECT_NE(no_folder.error().message.find("not a folder"), std::string::npos);
}

TEST(DemoVenueTemplates, EveryNoticeHasAKoreanTemplateBesideTheEnglishOne) {
    // With Korean as the default language, loading fails unless every kind has a ko file.
    auto korean = TemplateSet::load(ADMIT_DEMO_TEMPLATES, "ko", notice_kinds());
    ASSERT_TRUE(korean.ok()) << korean.error().message;
    auto english = TemplateSet::load(ADMIT_DEMO_TEMPLATES, "en", notice_kinds());
    ASSERT_TRUE(english.ok()) << english.error().message;
    // Every value any notice's data has (notice_catalog.cpp): a Korean template that used another
    // one would fail to render.
    const boost::json::object money{{"amount", 1000}, {"currency", "KRW"}};
    const boost::json::object data{{"reservationId", "rsv_1"},
                                   {"ticketId", "tkt_1"},
                                   {"amount", money},
                                   {"total", money},
                                   {"refund", money},
                                   {"failure", {{"code", "DECLINED"}, {"message", "declined"}}},
                                   {"expiresAt", "2026-12-06T10:00:00Z"},
                                   {"tokenExpiresAt", "2026-12-06T10:00:00Z"},
                                   {"qrUrl", "https://tickets.example/qr"},
                                   {"ticketUrl", "https://tickets.example/t"}};
    for (const auto& kind : notice_kinds()) {
        auto ko = korean->render(kind, "ko", data);
        ASSERT_TRUE(ko.ok()) << kind << ": " << ko.error().message;
        auto en = english->render(kind, "en", data);
        ASSERT_TRUE(en.ok()) << kind << ": " << en.error().message;
        EXPECT_NE(ko->subject, en->subject) << kind;
        EXPECT_NE(ko->body, en->body) << kind;
    }
}

TEST(NextAttempt, DoublesUpToTheCapAndDiesPastTheAgeOrAttempts) {
    DeliveryPolicy policy;
    policy.initial_backoff_us = 1'000'000;
    policy.max_backoff_us = 8'000'000;
    policy.max_age_us = 100'000'000;
    policy.max_attempts = 10;
    const int64_t created = 0;
    EXPECT_EQ(next_attempt(policy, 1, created, 0), 1'000'000);
    EXPECT_EQ(next_attempt(policy, 2, created, 0), 2'000'000);
    EXPECT_EQ(next_attempt(policy, 3, created, 0), 4'000'000);
    EXPECT_EQ(next_attempt(policy, 5, created, 0), 8'000'000);  // capped
    EXPECT_EQ(next_attempt(policy, 9, created, 10'000'000), 18'000'000);
    EXPECT_EQ(next_attempt(policy, 10, created, 0), std::nullopt);          // attempts used up
    EXPECT_EQ(next_attempt(policy, 4, created, 95'000'000), std::nullopt);  // past three days
}

}  // namespace
}  // namespace admit::notification
