// RawClient: a blocking loopback HTTP/1.1 client on plain POSIX sockets, for driving the server
// byte by byte in tests (partial requests, pipelining, garbage).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::http::testing {

using namespace std::chrono_literals;

struct Reply {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::string body;
    std::string header(std::string_view name) const;  // "" when absent
};

class RawClient {
  public:
    // Connects to 127.0.0.1:port from `source` (another loopback address such as "127.0.0.2"
    // plays another client); connected() says whether it worked.
    explicit RawClient(std::uint16_t port, const char* source = nullptr);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return fd_ >= 0; }
    bool send(std::string_view data);
    // Reads one response with a Content-Length body (or headers only when stop_after_headers).
    std::optional<Reply> read_reply(std::chrono::milliseconds timeout = 5000ms,
                                    bool stop_after_headers = false);
    // Reads until `marker` has arrived; returns everything received so far (consumed), or nullopt.
    std::optional<std::string> read_until(std::string_view marker,
                                          std::chrono::milliseconds timeout = 5000ms);
    // True when the peer closes (EOF or reset) within timeout; discards data received meanwhile.
    bool wait_closed(std::chrono::milliseconds timeout = 5000ms);

  private:
    // Reads more bytes into buffer_; false on EOF, error or timeout.
    bool fill(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string buffer_;
};

// A GET request with optional extra header lines ("Name: value\r\n" each).
std::string get_request(std::string_view target, std::string_view extra_headers = {});

// Polls `condition` every millisecond until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5000ms);

}  // namespace admit::http::testing
