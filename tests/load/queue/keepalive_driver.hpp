// KeepAliveDriver: a closed loop of HTTP/1.1 requests over `connections` keep-alive connections
// to one loopback server, on a caller's io_context (Boost.Asio: epoll). Each connection sends the
// next request the caller's generator gives it, reads the whole answer (admitd always sends
// Content-Length), hands it to the caller and sends the next one; a connection the server closes
// is reopened. Not thread-safe: run its io_context on one thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::load {

struct Answer {
    int status = 0;         ///< 0: the connection failed before an answer
    std::string_view body;  ///< valid during the callback only
};

class KeepAliveDriver {
  public:
    /// A request and the caller's tag for it (handed back with its answer).
    struct Outgoing {
        uint64_t tag = 0;
        std::string text;
    };
    /// The next request, or nullopt when there is nothing left to send (for now: a connection
    /// that got nullopt sits idle until the phase ends).
    using NextRequest = std::function<std::optional<Outgoing>()>;
    using OnAnswer = std::function<void(uint64_t tag, const Answer& answer)>;

    KeepAliveDriver(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server,
                    std::size_t connections);
    ~KeepAliveDriver();
    KeepAliveDriver(const KeepAliveDriver&) = delete;
    KeepAliveDriver& operator=(const KeepAliveDriver&) = delete;

    /// Runs one closed-loop phase: every connection sends requests from `next` until it answers
    /// nullopt or `deadline` passes; returns once every request sent was answered. Runs the
    /// io_context itself (other work on it, such as open streams, keeps being served).
    void run(NextRequest next, OnAnswer on_answer,
             std::chrono::steady_clock::time_point deadline =
                 std::chrono::steady_clock::time_point::max());

    /// Connections open now.
    std::size_t open() const;

  private:
    struct Connection;
    void start(Connection& c);
    void send_next(Connection& c);
    void read_more(Connection& c);
    void on_data(Connection& c);
    void fail(Connection& c);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::endpoint server_;
    std::vector<std::unique_ptr<Connection>> connections_;
    NextRequest next_;
    OnAnswer on_answer_;
    std::chrono::steady_clock::time_point deadline_;
    std::size_t busy_ = 0;
    bool exhausted_ = false;
};

/// A request with a bearer token and an optional JSON body.
std::string make_request(std::string_view method, std::string_view target, std::string_view bearer,
                         std::string_view json_body = {});

}  // namespace admit::load
