// The client address through trusted proxies, and the connection and stream caps that keep one
// client from taking the server from the others (host/http/client_address, connection_limits).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "host/http/client_address.hpp"
#include "host/http/connection_limits.hpp"
#include "host/http/server.hpp"
#include "host/observe/logging.hpp"
#include "raw_client.hpp"

namespace admit::http {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::get_request;
using testing::RawClient;

IpAddress ip(const char* text) { return parse_ip(text).value(); }

TrustedProxies proxies(std::initializer_list<const char*> cidrs) {
    std::vector<Cidr> networks;
    for (const char* cidr : cidrs) networks.push_back(parse_cidr(cidr).value());
    return TrustedProxies(std::move(networks));
}

TEST(ClientAddress, ParsesAddressesAndNetworks) {
    EXPECT_EQ(to_string(ip("203.0.113.5")), "203.0.113.5");
    EXPECT_EQ(to_string(ip("::ffff:203.0.113.5")), "203.0.113.5");
    EXPECT_EQ(to_string(ip("[2001:db8::1]")), "2001:db8::1");
    EXPECT_FALSE(parse_ip("203.0.113"));
    EXPECT_FALSE(parse_ip("unknown"));
    EXPECT_FALSE(parse_ip(""));
    EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
    EXPECT_FALSE(parse_cidr("10.0.0.0/"));
    EXPECT_FALSE(parse_cidr("fd00::/129"));
    auto trusted = proxies({"10.0.0.0/8", "192.0.2.7", "fd00::/8"});
    EXPECT_TRUE(trusted.trusts(ip("10.200.1.1")));
    EXPECT_FALSE(trusted.trusts(ip("11.0.0.1")));
    EXPECT_TRUE(trusted.trusts(ip("192.0.2.7")));
    EXPECT_FALSE(trusted.trusts(ip("192.0.2.8")));
    EXPECT_TRUE(trusted.trusts(ip("fd12:3456::1")));
    EXPECT_FALSE(trusted.trusts(ip("fe80::1")));
}

TEST(ClientAddress, BelievesForwardedHeadersOnlyFromTrustedProxies) {
    auto trusted = proxies({"10.0.0.0/8"});
    // From an untrusted peer the headers are ignored: a client cannot choose its own address.
    EXPECT_EQ(to_string(resolve_client(ip("198.51.100.9"), std::nullopt, "1.2.3.4", trusted)),
              "198.51.100.9");
    // From a proxy: the rightmost hop that is not a proxy; the client-written left part is not
    // believed.
    EXPECT_EQ(to_string(resolve_client(ip("10.0.0.2"), std::nullopt,
                                       "6.6.6.6, 203.0.113.5, 10.0.0.3", trusted)),
              "203.0.113.5");
    EXPECT_EQ(to_string(resolve_client(ip("10.0.0.2"),
                                       "for=192.0.2.60;proto=https, for=\"[2001:db8::7]:443\"",
                                       "6.6.6.6", trusted)),
              "2001:db8::7");
    // Garbage stops the walk at the last trusted hop, never at a client-chosen value.
    EXPECT_EQ(to_string(resolve_client(ip("10.0.0.2"), std::nullopt, "203.0.113.5, junk", trusted)),
              "10.0.0.2");
    EXPECT_EQ(to_string(resolve_client(ip("10.0.0.2"), std::nullopt, std::nullopt, trusted)),
              "10.0.0.2");
    // Only proxies all the way: the leftmost.
    EXPECT_EQ(
        to_string(resolve_client(ip("10.0.0.2"), std::nullopt, "10.1.1.1, 10.0.0.3", trusted)),
        "10.1.1.1");
}

TEST(ClientAddress, CountsIpv6ClientsPerSlash64) {
    EXPECT_EQ(client_bucket(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
    EXPECT_EQ(client_bucket(ip("2001:db8:1:2:ffff:1:2:3")), client_bucket(ip("2001:db8:1:2::9")));
    EXPECT_NE(client_bucket(ip("2001:db8:1:3::1")), client_bucket(ip("2001:db8:1:2::1")));
    EXPECT_EQ(client_bucket(ip("203.0.113.5")), "203.0.113.5");
}

TEST(ConnectionLimits, CapsAllPerClientAndStreamsAndGivesSlotsBack) {
    auto limits = ConnectionLimits::create({3, 2, 1});
    auto refusal = ConnectionLimits::Refusal::none;
    auto a1 = limits->open_connection("a", true, refusal);
    auto a2 = limits->open_connection("a", true, refusal);
    EXPECT_TRUE(a1 && a2);
    auto a3 = limits->open_connection("a", true, refusal);
    EXPECT_FALSE(a3);
    EXPECT_EQ(refusal, ConnectionLimits::Refusal::client_full);
    auto proxy = limits->open_connection("p", false, refusal);  // a proxy: not per client
    EXPECT_TRUE(proxy);
    auto b1 = limits->open_connection("b", true, refusal);
    EXPECT_FALSE(b1);
    EXPECT_EQ(refusal, ConnectionLimits::Refusal::server_full);
    a1 = {};
    EXPECT_EQ(limits->connections(), 2u);
    EXPECT_TRUE(limits->open_connection("b", true, refusal));

    auto s1 = limits->open_stream("a");
    EXPECT_TRUE(s1);
    EXPECT_FALSE(limits->open_stream("a"));
    EXPECT_TRUE(limits->open_stream("b"));
    s1 = {};
    EXPECT_EQ(limits->streams_of("a"), 0u);
    EXPECT_TRUE(limits->open_stream("a"));
}

// A server whose /whoami answers the client address it resolved and /stream/X opens a stream.
class LimitedServer : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(observe::configure_logging("off", "text").ok()); }
    void start(ServerOptions options) {
        options.address = "127.0.0.1";
        options.port = 0;
        options.io_threads = 2;
        server_ = std::make_unique<Server>(options, [](Request& request) {
            if (request.path.starts_with("/stream/")) {
                Response response;
                response.stream_topic = request.path.substr(8);
                response.stream_first_event = format_sse_event("hello", "{}");
                return response;
            }
            return Response::json(200,
                                  "\"" + request.client_ip + " " + request.client_bucket + "\"");
        });
        ASSERT_TRUE(server_->start().ok());
    }
    void TearDown() override {
        if (server_) server_->stop(1s);
    }
    std::unique_ptr<Server> server_;
};

TEST_F(LimitedServer, OneClientsIdleSocketsCannotTakeTheServerFromOthers) {
    ServerOptions options;
    options.max_connections_per_ip = 50;
    start(options);
    std::vector<std::unique_ptr<RawClient>> hoard;
    for (int i = 0; i < 50; ++i) {
        hoard.push_back(std::make_unique<RawClient>(server_->port(), "127.0.0.2"));
        ASSERT_TRUE(hoard.back()->connected());
    }
    // The server counts a connection once it accepted it: wait until all 50 are in.
    ASSERT_TRUE(eventually([&] {
        RawClient probe(server_->port(), "127.0.0.2");
        if (!probe.send(get_request("/whoami"))) return false;
        auto reply = probe.read_reply(1s);
        return reply && reply->status == 429;
    }));
    RawClient refused(server_->port(), "127.0.0.2");
    ASSERT_TRUE(refused.send(get_request("/whoami")));
    auto reply = refused.read_reply(2s);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 429);
    EXPECT_NE(reply->header("retry-after"), "");
    EXPECT_NE(reply->body.find("RATE_LIMITED"), std::string::npos);
    EXPECT_TRUE(refused.wait_closed(2s));

    RawClient other(server_->port(), "127.0.0.3");
    ASSERT_TRUE(other.send(get_request("/whoami")));
    auto served = other.read_reply(2s);
    ASSERT_TRUE(served);
    EXPECT_EQ(served->status, 200);
    EXPECT_NE(served->body.find("127.0.0.3"), std::string::npos);

    hoard.resize(10);  // closing sockets gives their slots back
    EXPECT_TRUE(eventually([&] {
        RawClient again(server_->port(), "127.0.0.2");
        if (!again.send(get_request("/whoami"))) return false;
        auto r = again.read_reply(1s);
        return r && r->status == 200;
    }));
}

TEST_F(LimitedServer, TheServerWideCapAnswers503) {
    ServerOptions options;
    options.max_connections = 5;
    start(options);
    std::vector<std::unique_ptr<RawClient>> open;
    for (int i = 0; i < 5; ++i) open.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(eventually([&] {
        RawClient probe(server_->port(), "127.0.0.4");
        if (!probe.send(get_request("/whoami"))) return false;
        auto reply = probe.read_reply(1s);
        return reply && reply->status == 503 && reply->body.find("OVERLOADED") != std::string::npos;
    }));
}

TEST_F(LimitedServer, StreamsPerClientAreCapped) {
    ServerOptions options;
    options.max_streams_per_ip = 3;
    start(options);
    std::vector<std::unique_ptr<RawClient>> streams;
    for (int i = 0; i < 3; ++i) {
        streams.push_back(std::make_unique<RawClient>(server_->port(), "127.0.0.5"));
        ASSERT_TRUE(streams.back()->send(get_request("/stream/t")));
        ASSERT_TRUE(streams.back()->read_until("event: hello"));
    }
    RawClient fourth(server_->port(), "127.0.0.5");
    ASSERT_TRUE(fourth.send(get_request("/stream/t")));
    auto refused = fourth.read_reply(2s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429);
    RawClient elsewhere(server_->port(), "127.0.0.6");
    ASSERT_TRUE(elsewhere.send(get_request("/stream/t")));
    EXPECT_TRUE(elsewhere.read_until("event: hello"));
    streams.pop_back();
    EXPECT_TRUE(eventually([&] {
        RawClient again(server_->port(), "127.0.0.5");
        return again.send(get_request("/stream/t")) &&
               again.read_until("event: hello", 500ms).has_value();
    }));
}

TEST_F(LimitedServer, AStreamWhoseClientStopsReadingIsCutAfterTheWriteTimeout) {
    ServerOptions options;
    options.sse_heartbeat = 50ms;
    options.stream_write_timeout = 300ms;
    options.sse_buffer_events = 1'000'000;  // the write timeout, not the queue bound, must cut it
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/stall")));
    ASSERT_TRUE(eventually([&] { return server_->streams().subscriber_count("stall") == 1; }));
    const std::string big(256 * 1024, 'x');
    for (int i = 0; i < 64; ++i) server_->streams().publish("stall", "bulk", big);  // fills buffers
    EXPECT_TRUE(eventually([&] { return server_->streams().subscriber_count("stall") == 0; }, 5s));
}

TEST_F(LimitedServer, AStreamEndsAtItsMaximumLifetime) {
    ServerOptions options;
    options.sse_heartbeat = 50ms;
    options.stream_max_lifetime = 300ms;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/life")));
    ASSERT_TRUE(client.read_until("event: hello"));
    EXPECT_TRUE(client.wait_closed(3s));
}

TEST_F(LimitedServer, TrustedProxiesNameTheClientAndOthersCannot) {
    ServerOptions options;
    options.trusted_proxies = TrustedProxies({parse_cidr("127.0.0.7").value()});
    start(options);
    RawClient proxy(server_->port(), "127.0.0.7");
    ASSERT_TRUE(
        proxy.send(get_request("/whoami", "X-Forwarded-For: 6.6.6.6, 2001:db8:1:2::99\r\n")));
    auto through = proxy.read_reply();
    ASSERT_TRUE(through);
    EXPECT_EQ(through->body, "\"2001:db8:1:2::99 2001:db8:1:2::/64\"");
    RawClient direct(server_->port(), "127.0.0.8");
    ASSERT_TRUE(direct.send(get_request("/whoami", "X-Forwarded-For: 6.6.6.6\r\n")));
    auto spoofed = direct.read_reply();
    ASSERT_TRUE(spoofed);
    EXPECT_EQ(spoofed->body, "\"127.0.0.8 127.0.0.8\"");
}

}  // namespace
}  // namespace admit::http
