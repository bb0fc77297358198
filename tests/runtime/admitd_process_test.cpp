// End-to-end tests of the admitd binary without storage: config errors, plugin refusal at start,
// HTTP answers over a real socket, graceful shutdown on SIGTERM.
#include <signal.h>

#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "admitd_process.hpp"
#include "http_test_client.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

namespace admit::testing {
namespace {

const std::string kAdmitd = ADMIT_ADMITD_BINARY;

// A venue with no PostgreSQL/Redis, loading probe plugins on an ephemeral port.
std::string venue(const std::string& plugins, const std::string& extra = "") {
    return "[venue]\nid = \"test\"\nname = \"Test\"\n"
           "[server]\nport = 0\nworkers = 4\nshutdown_grace_ms = 5000\n"
           "[access]\nroles = [\"customer\", \"seller\", \"admin\", \"staff\"]\n"
           "rate_categories = [\"general\", \"auth\", \"queue\", \"booking\"]\n"
           "[plugins]\ndir = \"" ADMIT_PROBE_DIR "\"\nload = [" +
           plugins +
           "]\n"
           "[database]\nenabled = false\n[redis]\nenabled = false\n"
           "[policies]\ndir = \"" ADMIT_SOURCE_DIR "/policies\"\n" +
           extra;
}

// write_temp_file's folder is named after the pid and a per-process counter, so a test process
// of an earlier run with the same pid used it before: it must come back empty. The next call's
// folder is planted with such a leftover first.
TEST(TestSupport, WriteTempFileStartsFromAnEmptyFolder) {
    const auto first = write_temp_file("first.txt", "1").parent_path();
    const auto dash = first.filename().string().rfind('-');
    const auto next = first.parent_path() /
                      (first.filename().string().substr(0, dash + 1) +
                       std::to_string(std::stoi(first.filename().string().substr(dash + 1)) + 1));
    std::filesystem::create_directories(next);
    std::ofstream(next / "journal.jsonl") << "left by another run\n";
    const auto second = write_temp_file("second.txt", "2");
    ASSERT_EQ(second.parent_path(), next);
    EXPECT_FALSE(std::filesystem::exists(next / "journal.jsonl"));
    EXPECT_TRUE(std::filesystem::exists(second));
}

TEST(AdmitdConfig, CheckConfigAcceptsAValidVenue) {
    auto file = write_temp_file("venue.toml", venue("\"probe_a\""));
    auto r = run_command(kAdmitd, {"--check-config", file.string()});
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("configuration OK"), std::string::npos);
}

TEST(AdmitdConfig, UnknownKeyNamesFileKeyAndLine) {
    auto file = write_temp_file("venue.toml", venue("\"probe_a\"", "[log]\nlevle = \"info\"\n"));
    auto r = run_command(kAdmitd, {"--check-config", file.string()});
    EXPECT_EQ(r.status, 2) << r.output;  // exit_config
    EXPECT_NE(r.output.find(file.string() + ":"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("log.levle: unknown key"), std::string::npos) << r.output;
}

TEST(AdmitdConfig, WrongTypeIsReported) {
    auto file = write_temp_file("venue.toml", venue("\"probe_a\"", "[jobs]\npoll_ms = \"fast\"\n"));
    auto r = run_command(kAdmitd, {"--check-config", file.string()});
    EXPECT_EQ(r.status, 2) << r.output;  // exit_config
    EXPECT_NE(r.output.find("jobs.poll_ms"), std::string::npos) << r.output;
}

TEST(AdmitdConfig, MissingPluginFileIsReportedAndNothingStarts) {
    auto file = write_temp_file("venue.toml", venue("\"probe_a\", \"no_such_plugin\""));
    AdmitdProcess admitd(kAdmitd, {"--config", file.string()});
    EXPECT_FALSE(admitd.wait_until_serving().has_value());
    auto status = admitd.wait_exit();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 2) << admitd.log();  // exit_config: the loader names the missing file
    EXPECT_NE(admitd.log().find("no_such_plugin"), std::string::npos) << admitd.log();
}

TEST(AdmitdConfig, CheckConfigRefusesAPluginOfAnotherAbi) {
    auto file = write_temp_file("venue.toml", venue("\"probe_major\""));
    auto r = run_command(kAdmitd, {"--check-config", file.string()});
    EXPECT_EQ(r.status, 2) << r.output;  // exit_config
    EXPECT_NE(r.output.find("majors must be equal"), std::string::npos) << r.output;
}

TEST(AdmitdStart, PluginWhoseInitFailsStopsTheStartWithItsName) {
    auto file = write_temp_file("venue.toml", venue("\"probe_a\", \"probe_initfail\""));
    AdmitdProcess admitd(kAdmitd, {"--config", file.string()});
    EXPECT_FALSE(admitd.wait_until_serving().has_value());
    EXPECT_EQ(admitd.wait_exit().value_or(-1), 1);
    EXPECT_NE(admitd.log().find("plugin probe_initfail failed to initialize"), std::string::npos)
        << admitd.log();
}

class AdmitdServing : public ::testing::Test {
  protected:
    void SetUp() override {
        trace_ = write_temp_file("trace.txt", "");
        auto file = write_temp_file("venue.toml", venue("\"probe_a\", \"probe_contract\"",
                                                        "[testing]\ncheck_responses = true\n"));
        admitd_ = std::make_unique<AdmitdProcess>(
            kAdmitd, std::vector<std::string>{"--config", file.string()},
            std::vector<std::string>{"ADMIT_TEST_TRACE=" + trace_.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }

    std::string trace() const {
        std::ifstream in(trace_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    std::unique_ptr<AdmitdProcess> admitd_;
    std::filesystem::path trace_;
    uint16_t port_ = 0;
};

TEST_F(AdmitdServing, HealthzAndPluginRouteAnswer) {
    auto health = http_request(port_, "GET", "/healthz");
    EXPECT_EQ(health.status, 200);
    auto probe = http_request(port_, "GET", "/probe/probe_a");
    EXPECT_EQ(probe.status, 200);
    EXPECT_EQ(boost::json::parse(probe.body).at("plugin"), "probe_a");
    EXPECT_FALSE(probe.headers["x-trace-id"].empty());
}

TEST_F(AdmitdServing, UnknownRouteIs404WithStandardBodyAndTheCallersTraceId) {
    auto r =
        http_request(port_, "GET", "/api/v1/nothing-here", "", {{"X-Request-Id", "req-abc.1"}});
    EXPECT_EQ(r.status, 404);
    auto body = boost::json::parse(r.body).as_object();
    EXPECT_EQ(body["code"], "NOT_FOUND");
    EXPECT_EQ(body["traceId"], "req-abc.1");
    EXPECT_EQ(r.headers["x-trace-id"], "req-abc.1");
}

TEST_F(AdmitdServing, MetricsCountRequestsPerRouteTemplate) {
    ASSERT_EQ(http_request(port_, "GET", "/probe/probe_a").status, 200);
    auto metrics = http_request(port_, "GET", "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("route=\"/probe/probe_a\""), std::string::npos) << metrics.body;
}

TEST_F(AdmitdServing, AdminRoutesNeedAToken) {
    auto r = http_request(port_, "GET", "/api/v1/admin/plugins");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(boost::json::parse(r.body).at("code"), "UNAUTHENTICATED");
}

TEST_F(AdmitdServing, MalformedRequestGets400AndOthersAreUnharmed) {
    auto raw = http_raw(port_, "THIS IS NOT HTTP\r\n\r\n");
    EXPECT_NE(raw.find(" 400 "), std::string::npos) << raw;
    EXPECT_EQ(http_request(port_, "GET", "/healthz").status, 200);
}

TEST_F(AdmitdServing, OversizedBodyGets413) {
    std::string big(2 * 1024 * 1024, 'x');
    auto r = http_request(port_, "POST", "/probe/probe_a", big);
    EXPECT_EQ(r.status, 413);
}

// A route's contract is enforced before its handler (400 naming the field) and is what
// /openapi.json and /docs show.
TEST_F(AdmitdServing, ARouteContractRefusesBadInputAndDocumentsTheRoute) {
    const std::string path = "/probe/probe_contract/contract";
    EXPECT_EQ(http_request(port_, "POST", path + "?n=3", R"({"seats": ["A1"]})").status, 200);
    auto query = http_request(port_, "POST", path + "?n=11", R"({"seats": []})");
    EXPECT_EQ(query.status, 400);
    auto query_body = boost::json::parse(query.body);
    EXPECT_EQ(query_body.at("code"), "INVALID_REQUEST");
    EXPECT_EQ(query_body.at("message"), "query parameter n: must be at most 10");
    auto body = http_request(port_, "POST", path, R"({"seats": ["A1", 2]})");
    EXPECT_EQ(body.status, 400);
    EXPECT_EQ(boost::json::parse(body.body).at("message"),
              "body.seats[1]: must be a string (got an integer)");
    EXPECT_EQ(http_request(port_, "POST", path, "{}").status, 400);
    EXPECT_EQ(http_request(port_, "POST", path, "not json").status, 400);

    auto doc = boost::json::parse(http_request(port_, "GET", "/openapi.json").body);
    const auto& op = doc.at("paths").at(path).at("post").as_object();
    EXPECT_EQ(op.at("operationId"), "probeContract");
    EXPECT_TRUE(
        op.at("requestBody").at("content").at("application/json").as_object().contains("schema"));
    EXPECT_EQ(op.at("parameters").at(0).at("name"), "n");
    EXPECT_EQ(op.at("responses").at("409").at("x-error-codes").at(0), "PROBE_CONFLICT");
    EXPECT_EQ(op.at("security").as_array().size(), 0u);  // a public route says so

    auto docs = http_request(port_, "GET", "/docs");
    EXPECT_EQ(docs.status, 200);
    EXPECT_NE(docs.body.find("probeContract"), std::string::npos);
    EXPECT_EQ(docs.body.find("<script"), std::string::npos);
}

TEST_F(AdmitdServing, SigtermFinishesTheInFlightRequestThenStopsPlugins) {
    auto slow = std::async(std::launch::async,
                           [&] { return http_request(port_, "GET", "/probe/probe_a/slow"); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (trace().find("slow-begin") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_NE(trace().find("slow-begin"), std::string::npos);
    admitd_->signal(SIGTERM);
    auto response = slow.get();
    EXPECT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(admitd_->wait_exit().value_or(-1), 0) << admitd_->log();
    auto t = trace();
    auto end = t.find("slow-end");
    auto stop = t.find("probe_a:stop");
    ASSERT_NE(end, std::string::npos);
    ASSERT_NE(stop, std::string::npos);
    EXPECT_LT(end, stop) << t;
    EXPECT_NE(t.find("probe_a:destroy"), std::string::npos);
}

// The end of a stream (ABI 1.3): probe_stream's on_close traces every end, probe_oldstream is a
// 1.2 plugin whose descriptor stops before on_close (the slot holds a trap).
class AdmitdStreams : public ::testing::Test {
  protected:
    void SetUp() override {
        trace_ = write_temp_file("trace.txt", "");
        auto file = write_temp_file("venue.toml", venue("\"probe_stream\", \"probe_oldstream\""));
        admitd_ = std::make_unique<AdmitdProcess>(
            kAdmitd, std::vector<std::string>{"--config", file.string()},
            std::vector<std::string>{"ADMIT_TEST_TRACE=" + trace_.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }

    std::string trace() const {
        std::ifstream in(trace_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::size_t count(const std::string& line) const {
        const std::string t = trace();
        std::size_t n = 0;
        for (auto at = t.find(line + "\n"); at != std::string::npos;
             at = t.find(line + "\n", at + 1))
            if (at == 0 || t[at - 1] == '\n') ++n;
        return n;
    }
    bool await_trace(const std::string& line, std::size_t times = 1) const {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (count(line) < times && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return count(line) >= times;
    }
    std::unique_ptr<catalog::SseReader> open(const std::string& plugin, const std::string& who,
                                             const std::string& subject = "") {
        return std::make_unique<catalog::SseReader>(
            port_, "/probe/" + plugin + "/stream/" + who,
            subject.empty() ? "" : "Bearer test:customer:" + subject);
    }

    std::unique_ptr<AdmitdProcess> admitd_;
    std::filesystem::path trace_;
    uint16_t port_ = 0;
};

TEST_F(AdmitdStreams, OnCloseRunsOncePerAcceptedStreamIncludingAtShutdownAndNeverForRefusals) {
    auto a = open("probe_stream", "a");
    auto b = open("probe_stream", "b");
    auto c = open("probe_stream", "c");
    for (auto* reader : {a.get(), b.get(), c.get()})
        ASSERT_TRUE(reader->wait_for("\"open\":true", std::chrono::seconds(10)))
            << reader->received();
    // Refused by on_open: 404, and its end is never reported.
    auto refused = open("probe_stream", "refused");
    ASSERT_TRUE(refused->wait_for("404", std::chrono::seconds(10))) << refused->received();
    // Accepted but never streamed (HEAD): its end is reported at once.
    auto head = http_raw(port_,
                         "HEAD /probe/probe_stream/stream/h HTTP/1.1\r\nHost: x\r\n"
                         "Connection: close\r\n\r\n");
    EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
    EXPECT_TRUE(await_trace("probe_stream:stream-close:h:")) << trace();
    // The client goes away: reported once, with the path parameters of the open.
    a.reset();
    EXPECT_TRUE(await_trace("probe_stream:stream-close:a:")) << trace();
    // A 1.2 plugin's stream: opened and closed without the host touching the on_close slot.
    auto old = open("probe_oldstream", "x");
    ASSERT_TRUE(old->wait_for("\"open\":true", std::chrono::seconds(10))) << old->received();
    old.reset();
    auto beyond = open("probe_stream", "sentinel");
    ASSERT_TRUE(beyond->wait_for("\"open\":true", std::chrono::seconds(10)));

    // Shutdown with b, c and the sentinel still open: each end is reported, before stop.
    admitd_->signal(SIGTERM);
    EXPECT_EQ(admitd_->wait_exit().value_or(-1), 0) << admitd_->log();
    const std::string t = trace();
    for (const char* who : {"a", "b", "c", "h", "sentinel"}) {
        EXPECT_EQ(count(std::string("probe_stream:stream-open:") + who + ":"), 1u) << t;
        EXPECT_EQ(count(std::string("probe_stream:stream-close:") + who + ":"), 1u) << t;
        EXPECT_LT(t.find(std::string("probe_stream:stream-close:") + who + ":"),
                  t.find("probe_stream:stop"))
            << t;
    }
    EXPECT_EQ(t.find("stream-open:refused"), std::string::npos) << t;
    EXPECT_EQ(t.find("stream-close:refused"), std::string::npos) << t;
    EXPECT_EQ(count("probe_oldstream:stream-open:x:"), 1u) << t;
    EXPECT_EQ(t.find("stream-close-trap"), std::string::npos) << t;
    EXPECT_NE(t.find("probe_stream:destroy"), std::string::npos) << t;
}

}  // namespace
}  // namespace admit::testing
