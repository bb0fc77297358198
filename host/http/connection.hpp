// Internal to admit_http (included by server.cpp and connection.cpp only: Beast compiles slowly).
// ServerCore is the state the connections share; Connection is one client connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "host/http/client_address.hpp"
#include "host/http/connection_limits.hpp"
#include "host/http/http_metrics.hpp"
#include "host/http/payload_body.hpp"
#include "host/http/pending_reply.hpp"
#include "host/http/server.hpp"
#include "host/http/stream_hub.hpp"
#include "host/http/worker_pool.hpp"

namespace admit::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class Connection;

// Shared by the Server and all its connections; outlives every connection (Server::stop joins the
// I/O threads before the core goes away).
struct ServerCore {
    ServerCore(ServerOptions opts, Server::Handler h);

    ServerOptions options;
    Server::Handler handler;
    std::shared_ptr<observe::MetricsRegistry> registry;
    HttpMetrics metrics;
    StreamHub hub;
    std::shared_ptr<ConnectionLimits> limits;
    std::unique_ptr<WorkerPool> pool;
    std::atomic<bool> stopping{false};

    // Live connections, for stop(). Guarded by connections_mutex.
    std::mutex connections_mutex;
    std::condition_variable connections_changed;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;

    void add_connection(const std::shared_ptr<Connection>& connection);
    void remove_connection(Connection* connection);
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // `lease` is the connection's slot (empty when refused: `refusal` says why, and start()
    // answers 503 or 429 and closes without reading a request).
    Connection(ServerCore& core, tcp::socket socket, IpAddress peer, ConnectionLimits::Lease lease,
               ConnectionLimits::Refusal refusal);
    ~Connection();

    // Starts serving; call once, on the socket's executor.
    void start();
    // Server stopping: close if idle or streaming, else answer the request in flight with
    // Connection: close. Call on the socket's executor.
    void on_server_stopping();
    // Closes the socket now. Call on the socket's executor.
    void close();
    // Queues an SSE frame (thread-safe; posts to the executor).
    void post_frame(std::shared_ptr<const std::string> frame);
    net::any_io_executor executor() { return socket_.get_executor(); }

  private:
    // awaiting: the handler returned a PendingReply (Response::pending) and its answer has not
    // come.
    enum class State { waiting, reading, handling, awaiting, writing, streaming, draining, closed };
    using Clock = std::chrono::steady_clock;

    void refuse_connection();
    void wait_for_request();
    void read_request();
    void on_header(beast::error_code ec);
    void read_body();
    void on_read(beast::error_code ec);
    bool handle_read_error(beast::error_code ec);
    // Why a request that parsed cannot be served: the status (400 or 414) and the message.
    struct Refusal {
        int status;
        std::string message;
    };
    std::optional<Refusal> fill_request();
    void dispatch();
    void run_handler();
    // On the I/O thread after the handler returned: send its response, or await its pending reply
    // (deadline: request_timeout, then 503).
    void after_handler();
    void await_reply();
    void on_reply(Response response);
    void schedule_pool_wake();
    void send_response();
    void send_error(int status, std::string_view code, std::string_view message, bool keep_alive);
    void on_write(beast::error_code ec);
    void drain_and_close();
    void start_stream();
    void write_next_frame();
    void enqueue_frame(std::shared_ptr<const std::string> frame);
    void watch_stream_peer();

    void set_deadline(Clock::duration after);
    void clear_deadline() { deadline_ = Clock::time_point::max(); }
    void arm_timer();
    void on_timer(beast::error_code ec);

    ServerCore& core_;
    tcp::socket socket_;
    net::steady_timer timer_;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool timer_armed_ = false;
    std::uint64_t timer_generation_ = 0;
    bool timed_out_ = false;
    State state_ = State::waiting;
    bool keep_alive_ = true;
    bool close_after_response_ = false;
    bool head_request_ = false;  // the request in hand is HEAD: answer without a body
    IpAddress peer_;
    ConnectionLimits::Lease lease_;
    ConnectionLimits::Refusal refusal_ = ConnectionLimits::Refusal::none;
    std::string method_label_;
    Clock::time_point request_start_;

    beast::flat_buffer buffer_;
    std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
    beast::http::response<PayloadBody> response_;
    Request request_;
    Response result_;
    std::shared_ptr<Connection> pending_self_;  // keeps us alive while a worker runs the handler
    // The reply awaited in State::awaiting (its delivery keeps us alive); cancelled by close().
    std::shared_ptr<PendingReply> reply_;

    // SSE
    std::shared_ptr<StreamSink> sink_;
    // The stream's end report (Response::stream_end), released by close(): I/O thread only.
    std::shared_ptr<void> stream_end_;
    ConnectionLimits::Lease stream_lease_;
    Clock::time_point stream_started_;
    Clock::time_point frame_write_started_;
    std::string topic_;
    std::deque<std::shared_ptr<const std::string>> frames_;
    bool frame_writing_ = false;
    char peer_scratch_[512];
};

}  // namespace admit::http::detail
