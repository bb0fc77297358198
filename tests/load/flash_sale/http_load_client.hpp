// HttpLoadClient: many keep-alive HTTP/1.1 connections to one loopback server, driven by one
// epoll thread. A request is handed to an idle connection; its answer comes back through a
// callback with the status, the "code" of an error body and the moment it arrived. Not
// thread-safe: use it from the thread that calls poll().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace admit::load {

using Clock = std::chrono::steady_clock;

struct HttpAnswer {
    int status = 0;          ///< 0: the connection failed
    std::string error_code;  ///< "code" of a JSON error body, when present
    std::string body;        ///< only when keep_body was set
    Clock::time_point received;
};

class HttpLoadClient {
  public:
    using OnAnswer = std::function<void(uint64_t tag, const HttpAnswer& answer)>;

    HttpLoadClient(std::string host, uint16_t port, std::size_t connections, OnAnswer on_answer);
    ~HttpLoadClient();
    HttpLoadClient(const HttpLoadClient&) = delete;
    HttpLoadClient& operator=(const HttpLoadClient&) = delete;

    /// Opens the connections; false (with `error` set) when the server does not accept them.
    bool connect(std::string& error);
    bool has_idle() const { return !idle_.empty(); }
    std::size_t in_flight() const { return in_flight_; }
    /// Sends a complete request text on an idle connection (has_idle() must be true).
    void send(uint64_t tag, const std::string& request);
    /// Waits up to `timeout` for answers and delivers them.
    void poll(std::chrono::milliseconds timeout);
    void keep_body(bool keep) { keep_body_ = keep; }
    /// Gives up on every request sent before `cutoff`: its connection is closed and reopened and
    /// the request is answered with status 0 and error_code "TIMEOUT". Returns how many.
    std::size_t expire(Clock::time_point cutoff);
    /// Connections that could not be reopened (the server was down) are tried again, at most
    /// every 100 ms, by poll(). How many connections are open now.
    std::size_t open_connections() const { return idle_.size() + in_flight(); }

  private:
    struct Connection {
        int fd = -1;
        uint64_t tag = 0;
        std::string out;
        std::size_t written = 0;
        std::string in;
        bool busy = false;
        bool wants_write = false;  ///< EPOLLOUT is registered
        Clock::time_point sent_at;
    };
    bool open(Connection& connection);
    void fail(std::size_t index, const char* reason = "CONNECTION");
    void reopen_closed();
    void on_readable(std::size_t index);
    void on_writable(std::size_t index);
    /// A complete response at the front of `in`: its length, or 0 when incomplete.
    static std::size_t complete_length(const std::string& in, std::size_t& header_end,
                                       std::size_t& body_length);

    std::string host_;
    uint16_t port_;
    OnAnswer on_answer_;
    int epoll_ = -1;
    bool keep_body_ = false;
    std::vector<Connection> connections_;
    std::vector<std::size_t> idle_;
    std::size_t in_flight_ = 0;
    std::size_t closed_ = 0;  ///< connections with fd -1 (the server refused them)
    Clock::time_point last_reopen_;
};

}  // namespace admit::load
