// /openapi.json of the whole platform (every real plugin loaded): every route carries its contract,
// the document passes Redocly's recommended rules, and a TypeScript client generated from it
// (openapi-typescript + openapi-fetch, pinned in tests/openapi/package-lock.json) signs up, logs
// in and reads a seat map against the running server. The npm tools are installed by scripts/test
// (`npm ci` in tests/openapi); nothing is downloaded while the tests run.
#include <filesystem>
#include <fstream>

#include "tests/e2e/platform_fixture.hpp"

namespace admit::testing {
namespace {

const std::filesystem::path kTools = ADMIT_OPENAPI_TOOLS;

class OpenApi : public PlatformFixture {
  protected:
    OpenApi()
        : PlatformFixture(
              {"auth", "arthall", "product", "queue", "reservation", "toss", "payment", "ticket",
               "log", "notification"},
              "[plugin.notification]\ntemplates_dir = \"" +
                  (kTools.parent_path().parent_path() / "config/venues/demo/notifications")
                      .string() +
                  "\"\n") {}

    // A fresh folder for this test's generated files, with the pinned tools' node_modules.
    std::filesystem::path work_dir() {
        auto dir = std::filesystem::temp_directory_path() /
                   ("admit-openapi-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        std::filesystem::create_directory_symlink(kTools / "node_modules", dir / "node_modules");
        return dir;
    }

    std::filesystem::path save_document(const std::filesystem::path& dir) {
        auto doc = http_request(port_, "GET", "/openapi.json");
        EXPECT_EQ(doc.status, 200);
        std::ofstream(dir / "openapi.json") << doc.body;
        return dir / "openapi.json";
    }

    CommandResult npm_tool(const std::string& tool, const std::vector<std::string>& args) {
        return run_command((kTools / "node_modules" / ".bin" / tool).string(), args,
                           std::chrono::seconds(120));
    }
};

TEST_F(OpenApi, EveryRouteCarriesItsContract) {
    auto doc = json_of(http_request(port_, "GET", "/openapi.json"));
    std::size_t operations = 0;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, op] : item.as_object()) {
            ++operations;
            const std::string where = std::string(method) + " " + std::string(path);
            const auto& o = op.as_object();
            EXPECT_TRUE(o.at("x-contract").as_bool()) << where << " registers no contract";
            EXPECT_TRUE(o.contains("security")) << where;
            bool documented_success = false;
            for (const auto& [status, response] : o.at("responses").as_object()) {
                if (status.size() != 3 || status[0] != '2') continue;
                documented_success = status == "204" || response.as_object().contains("content");
                const auto* content = response.as_object().if_contains("content");
                if (content != nullptr && content->as_object().contains("application/json")) {
                    EXPECT_TRUE(content->at("application/json").as_object().contains("schema"))
                        << where << " answers JSON without a schema";
                }
            }
            EXPECT_TRUE(documented_success) << where << " documents no success body";
            if (method == "post" || method == "put" || method == "patch") {
                // A body-taking route documents its body, or its contract says it takes none by
                // having no "request" (then the document has no requestBody): either way the
                // 400s it can answer are listed.
                EXPECT_TRUE(o.at("responses").as_object().contains("400") ||
                            !o.contains("requestBody"))
                    << where;
            }
        }
    }
    EXPECT_GT(operations, 60u);
}

TEST_F(OpenApi, TheDocumentPassesRedoclysRecommendedRules) {
    const auto dir = work_dir();
    const auto file = save_document(dir);
    ::setenv("REDOCLY_TELEMETRY", "off", 1);
    ::setenv("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true", 1);
    auto lint = npm_tool("redocly", {"lint", file.string(), "--extends=recommended",
                                     "--format=stylish", "--max-problems=1000"});
    EXPECT_EQ(lint.status, 0) << lint.output;
    EXPECT_NE(lint.output.find("Woohoo! Your API description is valid"), std::string::npos)
        << lint.output;
}

TEST_F(OpenApi, AGeneratedTypeScriptClientSignsUpLogsInAndReadsTheSeatMap) {
    const auto admin = login("root@admit.test", "root-password-e2e");
    const auto seller = account("seller@openapi.test", "seller");
    const auto schedule = schedule_on_sale(admin, seller);

    const auto dir = work_dir();
    const auto file = save_document(dir);
    auto generated = npm_tool("openapi-typescript", {file.string(), "-o", (dir / "schema.d.ts")});
    ASSERT_EQ(generated.status, 0) << generated.output;
    for (const char* name : {"journey.ts", "tsconfig.json"})
        std::filesystem::copy_file(kTools / "client" / name, dir / name);
    std::ofstream(dir / "package.json") << R"({"type": "module"})";
    auto compiled = npm_tool("tsc", {"-p", (dir / "tsconfig.json").string()});
    ASSERT_EQ(compiled.status, 0) << "the generated types do not fit the client:\n"
                                  << compiled.output;
    auto ran = run_command("/usr/bin/node",
                           {(dir / "out" / "journey.js").string(),
                            "http://127.0.0.1:" + std::to_string(port_), schedule},
                           std::chrono::seconds(60));
    EXPECT_EQ(ran.status, 0) << ran.output;
    EXPECT_NE(ran.output.find("seats read as"), std::string::npos) << ran.output;
}

// The buyer app's API client is typed by schema.d.ts, generated from a demo venue's document and
// committed. Here the app is typechecked against types generated from THIS platform's document:
// a route, parameter or body field the app uses that the contracts no longer offer fails here,
// even when nobody regenerated the committed copy.
TEST_F(OpenApi, TheWebAppTypechecksAgainstTheLiveDocument) {
    const auto app = kTools.parent_path().parent_path() / "plugins" / "web" / "app";
    ASSERT_TRUE(std::filesystem::exists(app / "node_modules" / ".bin" / "tsc"))
        << "the web app's npm packages are missing: build the web_app target (it runs npm ci)";
    const auto dir = work_dir();
    const auto file = save_document(dir);
    const auto copy = dir / "app";
    std::filesystem::create_directories(copy);
    std::filesystem::copy(app / "src", copy / "src", std::filesystem::copy_options::recursive);
    std::filesystem::copy_file(app / "tsconfig.json", copy / "tsconfig.json");
    std::filesystem::create_directory_symlink(app / "node_modules", copy / "node_modules");
    auto generated = npm_tool("openapi-typescript",
                              {file.string(), "-o", (copy / "src" / "api" / "schema.d.ts")});
    ASSERT_EQ(generated.status, 0) << generated.output;
    auto compiled = run_command((app / "node_modules" / ".bin" / "tsc").string(),
                                {"-p", (copy / "tsconfig.json").string(), "--noEmit"},
                                std::chrono::seconds(120));
    EXPECT_EQ(compiled.status, 0) << "the web app does not fit this platform's contracts:\n"
                                  << compiled.output;
}

}  // namespace
}  // namespace admit::testing
