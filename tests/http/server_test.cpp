#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "host/http/pending_reply.hpp"
#include "host/http/server.hpp"
#include "host/observe/logging.hpp"
#include "raw_client.hpp"

namespace admit::http {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::get_request;
using testing::RawClient;

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

// A server on an ephemeral loopback port with a few test routes:
//   /echo...    200, body "<method> <path>?<query> [<body>]", route label "/echo"
//   /throw      the handler throws
//   /block      waits until release() (or the fixture ends)
//   /stream/X   opens an SSE stream of topic X with a "hello" first event
//   /borrowed   a 4 MiB body borrowed from borrowed_ (no copy)
//   /later/now     answers later (Response::pending), finished before the handler returns
//   /later/thread  answers later, finished by another thread
//   /later/parked  answers later, when the test finishes parked()
class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(observe::configure_logging("off", "text").ok()); }

    void start(ServerOptions options = {}) {
        options.address = "127.0.0.1";
        options.port = 0;
        if (options.io_threads == 0) options.io_threads = 2;
        server_ =
            std::make_unique<Server>(options, [this](Request& request) { return handle(request); });
        auto status = server_->start();
        ASSERT_TRUE(status.ok()) << status.error().message;
        ASSERT_NE(server_->port(), 0);
    }

    void TearDown() override {
        release();
        if (server_) server_->stop(1s);
        for (auto& thread : finishers_) thread.join();
    }

    // The reply /later/parked is waiting for (null until that request reached its handler).
    std::shared_ptr<PendingReply> parked() {
        std::lock_guard lock(parked_mutex_);
        return parked_;
    }

    void release() {
        std::call_once(released_, [&] { gate_.set_value(); });
    }

    // With workers = 1 and queue_limit = 1: `running` holds the only worker in /block and
    // `queued` fills the queue, so the next pooled request finds no room.
    void saturate_pool(RawClient& running, RawClient& queued) {
        ASSERT_TRUE(running.send(get_request("/block")));
        ASSERT_TRUE(eventually([&] { return gauge("admit_http_workers_busy") == 1.0; }));
        ASSERT_TRUE(queued.send(get_request("/block")));
        ASSERT_TRUE(eventually([&] { return gauge("admit_http_worker_queue_depth") == 1.0; }));
    }

    double gauge(std::string_view name) {
        return server_->metrics().gauge(name, "").value()->value();
    }

    Response handle(Request& request) {
        if (request.path == "/throw") throw std::runtime_error("handler exploded");
        if (request.path == "/split") {
            Response response;
            response.set_header("X-Evil", "a\r\nSet-Cookie: stolen=1");
            return response;
        }
        if (request.path == "/borrowed") {  // 4 MiB, more than one socket write
            Response response;
            response.borrow_body(*borrowed_, borrowed_);
            response.content_type = "text/plain";
            return response;
        }
        if (request.path == "/block") {
            gate_future_.wait();
            return Response::json(200, R"({"blocked":false})");
        }
        if (request.path.starts_with("/later/")) {
            Response response;
            response.pending = std::make_shared<PendingReply>();
            response.route_label = "/later";
            const std::string how = request.path.substr(7);
            if (how == "now") {
                response.pending->finish(Response::json(200, R"({"later":"now"})"));
            } else if (how == "thread") {
                std::lock_guard lock(parked_mutex_);
                finishers_.emplace_back([reply = response.pending] {
                    reply->finish(Response::json(200, R"({"later":"thread"})"));
                });
            } else {
                std::lock_guard lock(parked_mutex_);
                parked_ = response.pending;
            }
            return response;
        }
        if (request.path.starts_with("/stream/")) {
            Response response;
            response.stream_topic = request.path.substr(8);
            response.stream_first_event = format_sse_event("hello", R"({"n":0})");
            response.route_label = "/stream/{topic}";
            return response;
        }
        Response response = Response::json(200, request.method + " " + request.path + "?" +
                                                    request.query + " [" + request.body + "]");
        response.route_label = "/echo";
        if (auto value = request.header("X-Probe")) response.set_header("X-Probe-Echo", *value);
        return response;
    }

    std::unique_ptr<Server> server_;
    std::shared_ptr<const std::string> borrowed_ =
        std::make_shared<const std::string>(std::string(4u << 20, 'x') + "end");
    std::promise<void> gate_;
    std::shared_future<void> gate_future_ = gate_.get_future().share();
    std::once_flag released_;
    std::mutex parked_mutex_;
    std::shared_ptr<PendingReply> parked_;
    std::vector<std::thread> finishers_;
};

TEST_F(ServerTest, ServesKeepAliveRequestsWithTraceIds) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(
        client.send("POST /echo/a%20b?x=1 HTTP/1.1\r\nHost: t\r\nX-Probe: yes\r\nContent-Length: "
                    "5\r\n\r\nhello"));
    auto first = client.read_reply();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, "POST /echo/a b?x=1 [hello]");
    EXPECT_EQ(first->header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(first->header("x-probe-echo"), "yes");
    EXPECT_EQ(first->header("x-trace-id").size(), 32u);

    ASSERT_TRUE(client.send(get_request(
        "/echo", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n")));
    auto second = client.read_reply();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->header("x-trace-id"), "4bf92f3577b34da6a3ce929d0e0e4736");

    ASSERT_TRUE(client.send(get_request("/echo", "X-Request-Id: req-42\r\n")));
    auto third = client.read_reply();
    ASSERT_TRUE(third.has_value());
    EXPECT_EQ(third->header("x-trace-id"), "req-42");
    EXPECT_EQ(gauge("admit_http_open_connections"), 1.0);

    std::string metrics = server_->metrics().render_prometheus();
    EXPECT_TRUE(contains(metrics,
                         R"(admit_http_requests_total{route="/echo",method="GET",status="200"} 2)"))
        << metrics;
    EXPECT_TRUE(contains(
        metrics, R"(admit_http_requests_total{route="/echo",method="POST",status="200"} 1)"));
    EXPECT_TRUE(contains(metrics, R"(admit_http_request_duration_seconds_count{route="/echo"} 3)"));
}

TEST_F(ServerTest, WritesABorrowedBodyWholeAndReleasesItAfterTheWrite) {
    start();
    RawClient client(server_->port());
    for (int round = 0; round < 2; ++round) {  // the second answer reuses the connection's message
        ASSERT_TRUE(client.send(get_request("/borrowed")));
        auto reply = client.read_reply();
        ASSERT_TRUE(reply.has_value());
        EXPECT_EQ(reply->status, 200);
        EXPECT_EQ(reply->header("content-type"), "text/plain");
        EXPECT_EQ(reply->body.size(), borrowed_->size());
        EXPECT_TRUE(reply->body == *borrowed_);
        // Only the fixture holds the bytes once they are written.
        EXPECT_TRUE(eventually([&] { return borrowed_.use_count() == 1; }));
    }
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/echo/1") + get_request("/echo/2") +
                            get_request("/echo/3", "Connection: close\r\n")));
    for (const char* expected : {"GET /echo/1? []", "GET /echo/2? []", "GET /echo/3? []"}) {
        auto reply = client.read_reply();
        ASSERT_TRUE(reply.has_value()) << expected;
        EXPECT_EQ(reply->body, expected);
    }
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, RefusesAnnouncedOversizedBodyWith413) {
    ServerOptions options;
    options.body_limit_bytes = 1024;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n"));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 413);
    EXPECT_TRUE(contains(reply->body, R"("code":"PAYLOAD_TOO_LARGE")"));
    EXPECT_TRUE(contains(reply->body, R"("traceId":")"));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, RefusesChunkedBodyOverLimitWith413) {
    ServerOptions options;
    options.body_limit_bytes = 16;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "20\r\n01234567890123456789012345678901\r\n0\r\n\r\n"));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 413);
}

TEST_F(ServerTest, RefusesOversizedHeadersWith431) {
    ServerOptions options;
    options.header_limit_bytes = 2048;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/echo", "X-Big: " + std::string(4000, 'a') + "\r\n")));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 431);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, AnswersMalformedRequestWith400AndCloses) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send("THIS IS NOT HTTP\r\n\r\n"));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 400);
    EXPECT_TRUE(contains(reply->body, R"("code":"INVALID_REQUEST")"));
    EXPECT_FALSE(reply->header("x-trace-id").empty());
    EXPECT_TRUE(client.wait_closed());

    RawClient bad_escape(server_->port());
    ASSERT_TRUE(bad_escape.send(get_request("/echo/%zz")));
    auto escaped = bad_escape.read_reply();
    ASSERT_TRUE(escaped.has_value());
    EXPECT_EQ(escaped->status, 400);
}

TEST_F(ServerTest, ClosesSlowClientWhileServingOthers) {
    ServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    RawClient slow(server_->port());
    ASSERT_TRUE(slow.send("GET /echo HTTP/1.1\r\nHost: t\r\nX-Partial: "));
    auto started = std::chrono::steady_clock::now();

    RawClient other(server_->port());
    int served = 0;
    while (std::chrono::steady_clock::now() - started < 500ms) {
        ASSERT_TRUE(other.send(get_request("/echo")));
        auto reply = other.read_reply(1s);
        ASSERT_TRUE(reply.has_value());
        ASSERT_EQ(reply->status, 200);
        ++served;
    }
    EXPECT_GT(served, 10);
    auto reply = slow.read_reply(2s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 408);
    EXPECT_TRUE(slow.wait_closed(2s));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(ServerTest, ClosesIdleKeepAliveConnections) {
    ServerOptions options;
    options.idle_timeout = 200ms;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/echo")));
    ASSERT_TRUE(client.read_reply().has_value());
    EXPECT_TRUE(client.wait_closed(2s));
    EXPECT_TRUE(eventually([&] { return gauge("admit_http_open_connections") == 0.0; }));
}

TEST_F(ServerTest, ShedsLoadWith503WhenPoolIsSaturated) {
    ServerOptions options;
    options.workers = 1;
    options.queue_limit = 1;
    options.retry_after_seconds = 7;
    start(options);
    RawClient running(server_->port());
    RawClient queued(server_->port());
    ASSERT_NO_FATAL_FAILURE(saturate_pool(running, queued));

    RawClient refused(server_->port());
    ASSERT_TRUE(refused.send(get_request("/echo")));
    auto reply = refused.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 503);
    EXPECT_EQ(reply->header("retry-after"), "7");
    EXPECT_TRUE(contains(reply->body, R"("code":"OVERLOADED")"));
    EXPECT_TRUE(
        contains(server_->metrics().render_prometheus(), "admit_http_overloaded_total 1\n"));

    release();
    for (RawClient* client : {&running, &queued}) {
        auto done = client->read_reply();
        ASSERT_TRUE(done.has_value());
        EXPECT_EQ(done->status, 200);
    }
    // The refused connection stays usable.
    ASSERT_TRUE(refused.send(get_request("/echo")));
    auto after = refused.read_reply();
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->status, 200);
}

// The host's health checks (GET /healthz, /readyz) run on the I/O thread: answered while the
// only worker is busy and the queue is full, where any other request gets 503 OVERLOADED.
TEST_F(ServerTest, InlineRequestsAreAnsweredWhileEveryWorkerIsBusyAndTheQueueIsFull) {
    ServerOptions options;
    options.workers = 1;
    options.queue_limit = 1;
    options.inline_request = [](const Request& r) {
        return r.method == "GET" && r.path == "/echo";
    };
    start(options);
    RawClient running(server_->port());
    RawClient queued(server_->port());
    ASSERT_NO_FATAL_FAILURE(saturate_pool(running, queued));

    RawClient health(server_->port());
    ASSERT_TRUE(health.send(get_request("/echo")));
    auto reply = health.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    RawClient other(server_->port());
    ASSERT_TRUE(other.send(get_request("/split")));  // not inline: no worker, no queue room
    auto refused = other.read_reply();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 503);

    release();
    for (RawClient* client : {&running, &queued}) {
        auto done = client->read_reply();
        ASSERT_TRUE(done.has_value());
        EXPECT_EQ(done->status, 200);
    }
}

TEST_F(ServerTest, TurnsHandlerExceptionInto500AndKeepsServing) {
    ServerOptions options;
    options.workers = 1;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/throw", "X-Request-Id: boom-1\r\n")));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 500);
    EXPECT_EQ(reply->body, R"({"code":"INTERNAL","message":"internal error","traceId":"boom-1"})");
    ASSERT_TRUE(client.send(get_request("/echo")));
    auto next = client.read_reply();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, RefusesToSendHeaderInjectionFromHandler) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/split")));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 500);
    EXPECT_TRUE(reply->header("set-cookie").empty());
    EXPECT_TRUE(reply->header("x-evil").empty());
}

TEST_F(ServerTest, StreamsServerSentEventsWithoutHoldingAWorker) {
    ServerOptions options;
    options.workers = 1;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/seats-1")));
    auto head = client.read_reply(5s, true);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
    EXPECT_EQ(head->header("x-trace-id").size(), 32u);
    auto first = client.read_until("\n\n");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, "event: hello\ndata: {\"n\":0}\n\n");

    ASSERT_TRUE(eventually([&] { return server_->streams().subscriber_count("seats-1") == 1; }));
    // The worker hands the connection to the stream hub and then counts itself free: await it
    // (the subscription can be seen a moment before the gauge drops).
    EXPECT_TRUE(eventually([&] { return gauge("admit_http_workers_busy") == 0.0; }));
    // The single worker is free for ordinary requests while the stream is open.
    RawClient other(server_->port());
    ASSERT_TRUE(other.send(get_request("/echo")));
    ASSERT_TRUE(other.read_reply().has_value());

    EXPECT_EQ(server_->streams().publish("seats-1", "seat", R"({"id":"A1","status":"HELD"})"), 1u);
    auto event = client.read_until("\n\n");
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(*event, "event: seat\ndata: {\"id\":\"A1\",\"status\":\"HELD\"}\n\n");
}

TEST_F(ServerTest, SendsHeartbeatsOnIdleStreams) {
    ServerOptions options;
    options.sse_heartbeat = 100ms;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/quiet")));
    ASSERT_TRUE(client.read_until("\r\n\r\n").has_value());
    ASSERT_TRUE(client.read_until("data: {\"n\":0}\n\n").has_value());
    auto heartbeat = client.read_until(": heartbeat\n\n", 2s);
    EXPECT_TRUE(heartbeat.has_value());
}

TEST_F(ServerTest, DropsStreamClientThatFallsBehind) {
    ServerOptions options;
    options.sse_buffer_events = 4;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/flood")));
    ASSERT_TRUE(eventually([&] { return server_->streams().subscriber_count("flood") == 1; }));
    // The client never reads: the socket buffers fill, then the stream's queue overflows.
    std::string big(64 * 1024, 'x');
    ASSERT_TRUE(eventually(
        [&] {
            server_->streams().publish("flood", "bulk", big);
            return server_->streams().subscriber_count("flood") == 0;
        },
        10s));
    EXPECT_TRUE(
        contains(server_->metrics().render_prometheus(), "admit_http_sse_dropped_total 1\n"));
}

TEST_F(ServerTest, RunsHandlersInlineWhenAsked) {
    ServerOptions options;
    options.run_handlers_inline = true;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/echo/inline") + get_request("/throw")));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->body, "GET /echo/inline? []");
    auto thrown = client.read_reply();
    ASSERT_TRUE(thrown.has_value());
    EXPECT_EQ(thrown->status, 500);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
    start();
    RawClient busy(server_->port());
    ASSERT_TRUE(busy.send(get_request("/block")));
    ASSERT_TRUE(eventually([&] { return gauge("admit_http_workers_busy") == 1.0; }));
    RawClient idle(server_->port());
    ASSERT_TRUE(idle.send(get_request("/echo")));
    ASSERT_TRUE(idle.read_reply().has_value());

    std::thread stopper([&] { server_->stop(5s); });
    // Stop has begun once idle keep-alive connections are being closed.
    EXPECT_TRUE(idle.wait_closed());
    EXPECT_FALSE(RawClient(server_->port()).read_reply(200ms).has_value());
    release();
    auto reply = busy.read_reply();
    stopper.join();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->header("connection"), "close");
}

TEST_F(ServerTest, StopClosesStreamsAndIsIdempotent) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/stream/s")));
    ASSERT_TRUE(eventually([&] { return server_->streams().subscriber_count("s") == 1; }));
    server_->stop(1s);
    EXPECT_TRUE(client.wait_closed());
    server_->stop(1s);
}

TEST_F(ServerTest, SendsADeferredReplyGivenBeforeOrAfterTheHandlerReturned) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/later/now") + get_request("/later/thread")));
    auto now = client.read_reply();
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(now->status, 200);
    EXPECT_EQ(now->body, R"({"later":"now"})");
    auto threaded = client.read_reply();
    ASSERT_TRUE(threaded.has_value());
    EXPECT_EQ(threaded->body, R"({"later":"thread"})");
}

// The point of a deferred reply: the worker is free while the answer is awaited.
TEST_F(ServerTest, ADeferredReplyHoldsNoWorker) {
    ServerOptions options;
    options.workers = 1;
    options.queue_limit = 1;
    start(options);
    RawClient waiting(server_->port());
    ASSERT_TRUE(waiting.send(get_request("/later/parked")));
    ASSERT_TRUE(eventually([&] { return parked() != nullptr; }));
    ASSERT_TRUE(eventually([&] { return gauge("admit_http_workers_busy") == 0.0; }));
    for (int i = 0; i < 3; ++i) {  // more than the one worker and the one queue slot
        RawClient other(server_->port());
        ASSERT_TRUE(other.send(get_request("/echo/meanwhile")));
        auto reply = other.read_reply();
        ASSERT_TRUE(reply.has_value());
        EXPECT_EQ(reply->status, 200);
    }
    // The first answer on that connection is the parked one: nothing was sent before it.
    ASSERT_TRUE(parked()->finish(Response::json(201, R"({"later":"parked"})")));
    auto reply = waiting.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 201);
    EXPECT_EQ(reply->body, R"({"later":"parked"})");
}

TEST_F(ServerTest, AnswersAReplyThatNeverCame503AfterTheRequestTimeoutAndDropsTheLateOne) {
    ServerOptions options;
    options.request_timeout = 300ms;
    start(options);
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/later/parked")));
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 503);
    EXPECT_TRUE(contains(reply->body, "DEPENDENCY_UNAVAILABLE")) << reply->body;
    EXPECT_FALSE(reply->header("retry-after").empty());
    ASSERT_NE(parked(), nullptr);
    EXPECT_FALSE(parked()->finish(Response::json(201, "{}")));  // too late: dropped
    ASSERT_TRUE(client.send(get_request("/echo/after")));       // the connection serves on
    auto next = client.read_reply();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->body, "GET /echo/after? []");
}

TEST_F(ServerTest, StopClosesAConnectionStillAwaitingAndALateReplyGoesNowhere) {
    start();
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(get_request("/later/parked")));
    ASSERT_TRUE(eventually([&] { return parked() != nullptr; }));
    auto reply = parked();
    server_->stop(100ms);
    EXPECT_TRUE(client.wait_closed());
    EXPECT_FALSE(reply->finish(Response::json(201, "{}")));  // cancelled by the close
    server_.reset();
}

TEST(ServerStart, ReportsBindFailure) {
    Server first(ServerOptions{}, [](Request&) { return Response{}; });
    ASSERT_TRUE(first.start().ok());
    ServerOptions options;
    options.port = first.port();
    Server second(options, [](Request&) { return Response{}; });
    auto status = second.start();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "HTTP_BIND_FAILED");
    first.stop(0ms);
}

}  // namespace
}  // namespace admit::http
