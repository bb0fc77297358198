// The host's outbound HTTP client against a real loopback server (tests/outbound/test_http_server):
// answers, connect refused, read timeout, retries of idempotent requests only, pool reuse, the
// body cap, the circuit breaker opening and half-opening, metrics, and https with a self-signed
// certificate; plus the ABI entry (admit_host_api.http_request) and its status mapping.
#include "host/outbound/outbound_client.hpp"

#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "host/abi/runtime.hpp"
#include "host/abi/string_sink.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/plugins/plugin_record.hpp"
#include "tests/outbound/test_http_server.hpp"

namespace admit::outbound {
namespace {

using namespace std::chrono_literals;
using testing::TestHttpServer;

OutboundOptions fast_options() {
    OutboundOptions o;
    o.connect_timeout = 1000ms;
    o.read_timeout = 2000ms;
    o.retry_backoff = 10ms;
    o.breaker.open_for = 300ms;
    return o;
}

std::unique_ptr<OutboundClient> make_client(OutboundOptions o = fast_options(),
                                            observe::MetricsRegistry* metrics = nullptr) {
    auto client = OutboundClient::create(std::move(o), metrics);
    EXPECT_TRUE(client.ok());
    return std::move(client.value());
}

OutboundRequest get(const std::string& url) {
    OutboundRequest r;
    r.method = "GET";
    r.url = url;
    return r;
}

TEST(OutboundClient, AnswersWithStatusHeadersAndBody) {
    TestHttpServer server;
    auto client = make_client();
    OutboundRequest request;
    request.method = "POST";
    request.url = server.url("/ok");
    request.headers = {{"Authorization", "Basic abc"}, {"Content-Type", "application/json"}};
    request.body = R"({"a":1})";
    const auto result = client->call(request);
    ASSERT_EQ(result.failure, OutboundFailure::none) << result.message;
    EXPECT_EQ(result.response.status, 200);
    EXPECT_EQ(result.response.body, "hello");
    EXPECT_EQ(result.attempts, 1u);
    bool has_test_header = false;
    for (const auto& [name, value] : result.response.headers)
        has_test_header |= name == "x-test" && value == "yes";
    EXPECT_TRUE(has_test_header);
    EXPECT_EQ(server.last_body("/ok"), R"({"a":1})");
    EXPECT_EQ(server.last_headers("/ok")["authorization"], "Basic abc");
    EXPECT_EQ(server.last_headers("/ok")["host"], "127.0.0.1:" + std::to_string(server.port()));
}

TEST(OutboundClient, AServerErrorIsAnAnswerNotAFailure) {
    TestHttpServer server;
    auto client = make_client();
    const auto result = client->call(get(server.url("/status?code=503")));
    ASSERT_EQ(result.failure, OutboundFailure::none);
    EXPECT_EQ(result.response.status, 503);
    EXPECT_EQ(server.requests("/status"), 1u);  // an answer is never retried
}

TEST(OutboundClient, ConnectionRefusedIsNotSent) {
    const uint16_t port = testing::unused_port();
    auto client = make_client();
    auto request = get("http://127.0.0.1:" + std::to_string(port) + "/ok");
    request.method = "POST";  // not idempotent: still retried, since nothing left
    const auto result = client->call(request);
    EXPECT_EQ(result.failure, OutboundFailure::not_sent);
    EXPECT_EQ(result.attempts, 0u);
    EXPECT_NE(result.message.find("connect"), std::string::npos) << result.message;
}

TEST(OutboundClient, AReadTimeoutIsNoAnswerAndAPostIsNeverResent) {
    TestHttpServer server;
    auto client = make_client();
    OutboundRequest request;
    request.method = "POST";
    request.url = server.url("/hang");
    request.body = "{}";
    request.read_timeout = 200ms;
    const auto result = client->call(request);
    EXPECT_EQ(result.failure, OutboundFailure::no_answer) << result.message;
    EXPECT_EQ(result.attempts, 1u);
    EXPECT_GE(result.latency, 200ms);
    EXPECT_LT(result.latency, 2000ms);
    // The server saw exactly one request (counted when it was read, before the hang).
    EXPECT_EQ(server.requests("/hang"), 1u);
}

TEST(OutboundClient, AnIdempotentRequestIsRetriedAfterATimeout) {
    TestHttpServer server;
    auto client = make_client();
    auto request = get(server.url("/hang"));
    request.read_timeout = 150ms;
    const auto result = client->call(request);
    EXPECT_EQ(result.failure, OutboundFailure::no_answer);
    EXPECT_EQ(result.attempts, 3u);
    EXPECT_EQ(server.requests("/hang"), 3u);
}

TEST(OutboundClient, APostWithAnIdempotencyKeyIsRetried) {
    TestHttpServer server;
    auto client = make_client();
    OutboundRequest request;
    request.method = "POST";
    request.url = server.url("/hang");
    request.headers = {{"Idempotency-Key", "k-1"}};
    request.read_timeout = 150ms;
    request.max_attempts = 2;
    const auto result = client->call(request);
    EXPECT_EQ(result.failure, OutboundFailure::no_answer);
    EXPECT_EQ(server.requests("/hang"), 2u);
    EXPECT_EQ(server.last_headers("/hang")["idempotency-key"], "k-1");
}

TEST(OutboundClient, KeepAliveConnectionsAreReused) {
    TestHttpServer server;
    auto client = make_client();
    for (int i = 0; i < 5; ++i) {
        const auto result = client->call(get(server.url("/ok")));
        ASSERT_EQ(result.failure, OutboundFailure::none) << result.message;
    }
    EXPECT_EQ(server.requests("/ok"), 5u);
    EXPECT_EQ(server.connections(), 1u);
}

TEST(OutboundClient, AConnectionClosedByTheServerIsNotReused) {
    TestHttpServer server;
    auto client = make_client();
    ASSERT_EQ(client->call(get(server.url("/close"))).failure, OutboundFailure::none);
    ASSERT_EQ(client->call(get(server.url("/ok"))).failure, OutboundFailure::none);
    EXPECT_EQ(server.connections(), 2u);
}

TEST(OutboundClient, ABodyOverTheCapFails) {
    TestHttpServer server;
    auto options = fast_options();
    options.max_response_bytes = 1000;
    auto client = make_client(options);
    EXPECT_EQ(client->call(get(server.url("/big?bytes=1000"))).failure, OutboundFailure::none);
    const auto result = client->call(get(server.url("/big?bytes=5000")));
    EXPECT_EQ(result.failure, OutboundFailure::too_large);
    EXPECT_EQ(server.requests("/big"), 2u);  // not retried
}

TEST(OutboundClient, MalformedRequestsAreRefusedBeforeAnythingIsSent) {
    auto client = make_client();
    EXPECT_EQ(client->call(get("ftp://example.com/x")).failure, OutboundFailure::invalid);
    EXPECT_EQ(client->call(get("not a url")).failure, OutboundFailure::invalid);
    auto request = get("http://127.0.0.1:1/x");
    request.headers = {{"X-Bad", "a\r\nInjected: yes"}};
    EXPECT_EQ(client->call(request).failure, OutboundFailure::invalid);
    request.headers = {{"Host", "elsewhere"}};
    EXPECT_EQ(client->call(request).failure, OutboundFailure::invalid);
    request.headers = {};
    request.method = "BREW";
    EXPECT_EQ(client->call(request).failure, OutboundFailure::invalid);
}

TEST(OutboundClient, TheBreakerOpensAfterFailuresAndHalfOpensAfterTheOpenPeriod) {
    const uint16_t port = testing::unused_port();
    const std::string upstream = "http://127.0.0.1:" + std::to_string(port);
    observe::MetricsRegistry metrics;
    auto client = make_client(fast_options(), &metrics);
    auto request = get(upstream + "/ok");
    request.max_attempts = 1;
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(client->call(request).failure, OutboundFailure::not_sent);
    EXPECT_EQ(client->breaker_state(upstream), BreakerState::open);
    const auto refused = client->call(request);
    EXPECT_EQ(refused.failure, OutboundFailure::not_sent);
    EXPECT_NE(refused.message.find("circuit breaker"), std::string::npos) << refused.message;

    // The upstream comes back on the same port; after the open period three trials close it.
    TestHttpServer server(port);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (client->breaker_state(upstream) == BreakerState::open &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(client->breaker_state(upstream), BreakerState::half_open);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(client->call(request).failure, OutboundFailure::none);
    EXPECT_EQ(client->breaker_state(upstream), BreakerState::closed);
    EXPECT_EQ(server.requests("/ok"), 3u);

    const std::string text = metrics.render_prometheus();
    EXPECT_NE(text.find("admit_outbound_requests_total{upstream=\"" + upstream +
                        "\",outcome=\"not_sent\"} 10"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("admit_outbound_requests_total{upstream=\"" + upstream +
                        "\",outcome=\"circuit_open\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("admit_outbound_requests_total{upstream=\"" + upstream +
                        "\",outcome=\"answered\"} 3"),
              std::string::npos);
    EXPECT_NE(text.find("admit_outbound_breaker_state{upstream=\"" + upstream + "\"} 0"),
              std::string::npos);
    EXPECT_NE(text.find("admit_outbound_request_seconds_count{upstream=\"" + upstream + "\"} 14"),
              std::string::npos);
}

TEST(OutboundClient, TimeoutsOpenTheBreakerToo) {
    TestHttpServer server;
    auto options = fast_options();
    options.breaker.window = 2;
    auto client = make_client(options);
    OutboundRequest request;
    request.method = "POST";
    request.url = server.url("/hang");
    request.read_timeout = 100ms;
    EXPECT_EQ(client->call(request).failure, OutboundFailure::no_answer);
    EXPECT_EQ(client->call(request).failure, OutboundFailure::no_answer);
    const auto refused = client->call(request);
    EXPECT_EQ(refused.failure, OutboundFailure::not_sent);
    EXPECT_EQ(server.requests("/hang"), 2u);
}

TEST(OutboundClient, HttpsVerifiesTheCertificateAgainstTheConfiguredCa) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("admit-outbound-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string cert, key;
    ASSERT_TRUE(testing::make_self_signed(dir.string(), cert, key));
    TestHttpServer server(0, cert, key);

    auto untrusting = make_client();  // system store only: the self-signed cert is refused
    const auto refused = untrusting->call(get(server.url("/ok")));
    EXPECT_EQ(refused.failure, OutboundFailure::not_sent);
    EXPECT_NE(refused.message.find("TLS"), std::string::npos) << refused.message;

    auto options = fast_options();
    options.ca_file = cert;
    auto trusting = make_client(options);
    for (int i = 0; i < 2; ++i) {
        const auto result = trusting->call(get(server.url("/ok")));
        ASSERT_EQ(result.failure, OutboundFailure::none) << result.message;
        EXPECT_EQ(result.response.body, "hello");
    }
    // Three refused handshakes (not sent, so every attempt was made) + one reused TLS connection.
    EXPECT_EQ(server.connections(), 4u);

    // The certificate names localhost and 127.0.0.1; another name fails host-name verification.
    auto by_other_name = trusting->call(
        get("https://localhost.localdomain:" + std::to_string(server.port()) + "/ok"));
    EXPECT_EQ(by_other_name.failure, OutboundFailure::not_sent);
    std::filesystem::remove_all(dir);
}

// The system store is read through its hashed directory (certificates loaded when a handshake
// needs them, not the whole bundle at every start): a CA placed there as OpenSSL names it
// (<subject hash>.0) is trusted without ca_file. SSL_CERT_DIR stands in for /etc/ssl/certs.
TEST(OutboundClient, TheSystemStoreIsReadThroughItsHashedDirectory) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("admit-outbound-store-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "store");
    std::string cert, key;
    ASSERT_TRUE(testing::make_self_signed(dir.string(), cert, key));
    FILE* file = std::fopen(cert.c_str(), "r");
    ASSERT_NE(file, nullptr);
    X509* x509 = PEM_read_X509(file, nullptr, nullptr, nullptr);
    std::fclose(file);
    ASSERT_NE(x509, nullptr);
    char hashed[16];
    std::snprintf(hashed, sizeof hashed, "%08lx.0", X509_subject_name_hash(x509));
    X509_free(x509);
    std::filesystem::copy_file(cert, dir / "store" / hashed);
    TestHttpServer server(0, cert, key);

    const char* before = std::getenv("SSL_CERT_DIR");
    const std::string saved = before ? before : "";
    ::setenv("SSL_CERT_DIR", (dir / "store").c_str(), 1);
    auto client = make_client();  // no ca_file
    const auto result = client->call(get(server.url("/ok")));
    if (before)
        ::setenv("SSL_CERT_DIR", saved.c_str(), 1);
    else
        ::unsetenv("SSL_CERT_DIR");
    EXPECT_EQ(result.failure, OutboundFailure::none) << result.message;
    EXPECT_EQ(result.response.body, "hello");
    std::filesystem::remove_all(dir);
}

// The TLS context is made at the first https call (not at every start of admitd): a CA file
// that exists but does not parse fails that call, naming the file, and plain http still works.
TEST(OutboundClient, AnUnreadableCaFileFailsTheFirstHttpsCallNamingIt) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("admit-outbound-badca-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto bad = dir / "ca.pem";
    {
        FILE* file = std::fopen(bad.c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fputs("not a certificate\n", file);
        std::fclose(file);
    }
    auto options = fast_options();
    options.ca_file = bad;
    auto client = make_client(options);
    const auto https = client->call(get("https://127.0.0.1:1/ok"));
    EXPECT_EQ(https.failure, OutboundFailure::invalid);
    EXPECT_NE(https.message.find("ca_file"), std::string::npos) << https.message;
    TestHttpServer server;
    const auto http = client->call(get(server.url("/ok")));
    EXPECT_EQ(http.failure, OutboundFailure::none) << http.message;
    std::filesystem::remove_all(dir);
}

TEST(OutboundClient, AMissingCaFileIsAConfigError) {
    auto options = fast_options();
    options.ca_file = "/nonexistent/ca.pem";
    auto client = OutboundClient::create(options, nullptr);
    ASSERT_FALSE(client.ok());
    EXPECT_NE(client.error().message.find("ca_file"), std::string::npos);
}

// --- the ABI entry --------------------------------------------------------------------------

struct AbiCall {
    admit_status status = ADMIT_OK;
    std::string error;
    int http_status = 0;
    std::string body;
    uint32_t attempts = 0;
};

AbiCall call_through_abi(OutboundClient* client, const char* method, const std::string& url,
                         uint32_t read_timeout_ms = 0) {
    runtime::HostClock clock;
    runtime::RuntimeServices services;
    services.outbound = client;
    runtime::Runtime rt(services, clock);
    runtime::PluginRecord record;
    record.name = "probe";
    record.handle.runtime = &rt;
    record.handle.plugin = &record;

    admit_http_request request{};
    request.size = sizeof request;
    request.method = admit_str{method, std::strlen(method)};
    request.url = admit_str{url.data(), url.size()};
    request.read_timeout_ms = read_timeout_ms;
    request.max_attempts = 1;
    AbiCall out;
    std::string error;
    runtime::StringSink sink(error);
    const auto& api = runtime::host_api_table();
    EXPECT_GE(api.abi_minor, 1);  // outbound HTTP is there since 1.1
    out.status = api.http_request(
        &record.handle, &request,
        [](void* ctx, const admit_http_response* response) {
            auto* o = static_cast<AbiCall*>(ctx);
            o->http_status = response->status;
            o->body.assign(response->body.ptr, response->body.len);
            o->attempts = response->attempts;
        },
        &out, sink.get());
    out.error = error;
    return out;
}

TEST(OutboundAbi, StatusesTellNotSentFromNoAnswer) {
    TestHttpServer server;
    auto client = make_client();
    auto ok = call_through_abi(client.get(), "GET", server.url("/ok"));
    EXPECT_EQ(ok.status, ADMIT_OK) << ok.error;
    EXPECT_EQ(ok.http_status, 200);
    EXPECT_EQ(ok.body, "hello");
    EXPECT_EQ(ok.attempts, 1u);
    auto hang = call_through_abi(client.get(), "POST", server.url("/hang"), 100);
    EXPECT_EQ(hang.status, ADMIT_E_TIMEOUT) << hang.error;
    auto refused = call_through_abi(
        client.get(), "GET", "http://127.0.0.1:" + std::to_string(testing::unused_port()) + "/");
    EXPECT_EQ(refused.status, ADMIT_E_UNAVAILABLE);
    auto bad = call_through_abi(client.get(), "GET", "gopher://x/");
    EXPECT_EQ(bad.status, ADMIT_E_INVALID_ARGUMENT);
    auto none = call_through_abi(nullptr, "GET", server.url("/ok"));
    EXPECT_EQ(none.status, ADMIT_E_UNSUPPORTED);
}

}  // namespace
}  // namespace admit::outbound
