// The hello example plugin end to end through FakeHost.
#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <dlfcn.h>

ADMIT_DECLARE_PLUGIN(hello);

namespace {

using admit::testing::FakeHost;
using admit::testing::TestPrincipal;

class HelloPluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.set_config("hello", {{"greeting", "Hi"}, {"throwing_route", true}});
        ASSERT_TRUE(fake.load(admit_plugin_descriptor_hello()).ok());
        ASSERT_TRUE(fake.start_all().ok());
    }
    FakeHost fake;
};

TEST_F(HelloPluginTest, PublicHello) {
    auto response = fake.request("GET", "/api/v1/hello");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.json(), (boost::json::value{{"message", "hello"}, {"plugin", "hello"}}));
    EXPECT_EQ(fake.metric("hello", "greetings_total"), 1.0);
}

TEST_F(HelloPluginTest, GreetsPathParameterWithConfiguredGreeting) {
    auto response = fake.request("GET", "/api/v1/hello/Ada");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.json().at("message"), "Hi, Ada!");
}

// FakeHost offers no deferred answers (ABI 1.6): Request::defer() says so and the route answers
// at once, on the handler's thread.
TEST_F(HelloPluginTest, ALaterRouteAnswersNowWhereTheHostCannotDefer) {
    auto response = fake.request("GET", "/api/v1/hello/later/Ada");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.json().at("message"), "Hi, Ada!");
}

TEST_F(HelloPluginTest, LiteralRouteWinsOverTemplate) {
    auto response = fake.request("GET", "/api/v1/hello/boom");
    EXPECT_EQ(response.status, 500) << "the throwing route, not a greeting of 'boom'";
    EXPECT_EQ(response.error_code(), "INTERNAL");
    EXPECT_TRUE(fake.logged("boom: this route always throws"));
}

TEST_F(HelloPluginTest, PostValidatesBodyAndNamesTheField) {
    const auto user = TestPrincipal::user("u_1");
    auto missing = fake.request("POST", "/api/v1/hello/greetings", R"({"times": 2})", user);
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.error_code(), "INVALID_REQUEST");
    EXPECT_NE(missing.body.find("'name'"), std::string::npos) << missing.body;

    auto out_of_range =
        fake.request("POST", "/api/v1/hello/greetings", R"({"name":"Ada","times":99})", user);
    EXPECT_EQ(out_of_range.status, 400);
    EXPECT_NE(out_of_range.body.find("'times'"), std::string::npos) << out_of_range.body;

    auto not_json = fake.request("POST", "/api/v1/hello/greetings", "{oops", user);
    EXPECT_EQ(not_json.status, 400);
    EXPECT_EQ(not_json.error_code(), "INVALID_REQUEST");

    auto created =
        fake.request("POST", "/api/v1/hello/greetings", R"({"name":"Ada","times":2})", user);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json().at("messages").as_array().size(), 2u);
    EXPECT_EQ(created.json().at("by"), "u_1");
    EXPECT_EQ(fake.metric("hello", "greetings_total"), 2.0);
}

TEST_F(HelloPluginTest, UnknownRoutesAndMethods) {
    EXPECT_EQ(fake.request("GET", "/api/v1/nothing").status, 404);
    EXPECT_EQ(fake.request("DELETE", "/api/v1/hello").status, 405);
}

TEST_F(HelloPluginTest, ServiceGreet) {
    auto greeting = fake.call("hello.greet", {{"name", "Grace"}});
    ASSERT_TRUE(greeting.ok()) << greeting.error().message;
    EXPECT_EQ(greeting->at("message"), "Hi, Grace!");

    auto invalid = fake.call("hello.greet", {{"nom", "Grace"}});
    ASSERT_FALSE(invalid.ok());
    EXPECT_EQ(invalid.error().status, ADMIT_E_INVALID_ARGUMENT);
    EXPECT_EQ(invalid.error().message, "field 'name' is required");

    EXPECT_EQ(fake.call("hello.nothing", {}).error().status, ADMIT_E_NOT_FOUND);
}

TEST_F(HelloPluginTest, RegistersRoutesWithSummariesAndEmbeddedMigrations) {
    const auto routes = fake.routes();
    EXPECT_EQ(routes.size(), 6u);  // four, and the two test routes of throwing_route
    EXPECT_EQ(routes[0].summary, "Says hello");
    EXPECT_EQ(routes[0].rate_category, "general");
    ASSERT_EQ(fake.migrations().size(), 1u);
    EXPECT_EQ(fake.migrations()[0].version, 1u);
    EXPECT_EQ(fake.migrations()[0].name, "greetings");
    EXPECT_NE(fake.migrations()[0].sql.find("CREATE TABLE IF NOT EXISTS hello.greetings"),
              std::string::npos);
    EXPECT_TRUE(fake.logged("greeting 'Hi'"));
}

TEST(HelloPluginDefaults, GreetingDefaultsWithoutConfig) {
    FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_hello()).ok());
    EXPECT_EQ(fake.request("GET", "/api/v1/hello/Ada").json().at("message"), "Hello, Ada!");
    EXPECT_FALSE(fake.load(admit_plugin_descriptor_hello()).ok()) << "a plugin loads once";
}

TEST(HelloPluginLibrary, TheBuiltLibraryLoadsThroughItsEntrySymbol) {
    FakeHost fake;
    auto status = fake.load_library(ADMIT_HELLO_PLUGIN_PATH);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(fake.request("GET", "/api/v1/hello").status, 200);
    // The always-throwing route exists only when the config asks for it: here "boom" is a name.
    EXPECT_EQ(fake.request("GET", "/api/v1/hello/boom").json().at("message"), "Hello, boom!");
    EXPECT_EQ(fake.migrations().size(), 1u);
    EXPECT_FALSE(fake.load_library("/nonexistent/x.so").ok());
}

TEST(HelloPluginLibrary, UnloadsCompletelyOnDlclose) {
    {
        FakeHost fake;
        ASSERT_TRUE(fake.load_library(ADMIT_HELLO_PLUGIN_PATH).ok());
        void* probe = dlopen(ADMIT_HELLO_PLUGIN_PATH,
                             RTLD_NOW | RTLD_NOLOAD);  // a successful probe adds a reference
        ASSERT_NE(probe, nullptr);
        dlclose(probe);
    }
    // No STB_GNU_UNIQUE symbol pins the library: after the fake's dlclose it is gone.
    EXPECT_EQ(dlopen(ADMIT_HELLO_PLUGIN_PATH, RTLD_NOW | RTLD_NOLOAD), nullptr);
}

}  // namespace
