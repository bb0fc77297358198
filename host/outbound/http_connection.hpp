// HttpConnection: one keep-alive HTTP/1.1 connection to one upstream (plain TCP or TLS), used by
// one thread at a time (it is checked out of its ConnectionPool for the length of a call).
//
// Each connection owns its own io_context and runs its operations on the calling thread, so a
// call is synchronous with real deadlines (the socket is closed when a deadline passes) and no
// host thread is shared with plugin calls. The only file of the host's outbound client that
// includes Beast is http_connection.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/outbound/target_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace admit::outbound {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct WireRequest {
    std::string method;
    std::string target;
    std::string host_header;
    HeaderList headers;
    std::string body;
};

struct WireResponse {
    int status = 0;
    HeaderList headers;  // names lower-case
    std::string body;
    bool keep_alive = false;
};

// How an exchange ended. not_sent: nothing reached the upstream. no_answer: the request was (or
// may have been) written and no complete answer came. too_large: the body exceeded the cap.
enum class ExchangeOutcome { answered, not_sent, no_answer, too_large };

struct ExchangeResult {
    ExchangeOutcome outcome = ExchangeOutcome::answered;
    std::string message;  // why, when not answered
    WireResponse response;
};

class HttpConnection {
  public:
    // Resolves, connects and (https) completes the TLS handshake with host-name verification,
    // within `timeout`. Failure: the message says why (the request was not sent).
    static Result<std::unique_ptr<HttpConnection>> open(const TargetUrl& url,
                                                        boost::asio::ssl::context* tls,
                                                        std::chrono::milliseconds timeout);
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Writes the request and reads the whole response within `timeout` (from the start of the
    // write). After anything but an answer with keep-alive, the connection is not reusable.
    ExchangeResult exchange(const WireRequest& request, std::chrono::milliseconds timeout,
                            std::uint64_t max_body_bytes);

    // True when the last exchange left the connection open for another request.
    bool reusable() const { return reusable_; }
    // For an idle connection: false when the peer closed it or sent something unasked for
    // (a non-blocking peek; never waits).
    bool still_open() const;

    std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
    void mark_idle() { idle_since_ = std::chrono::steady_clock::now(); }

    struct Impl;  // opaque: the Beast streams (http_connection.cpp)

  private:
    explicit HttpConnection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    bool reusable_ = true;
    std::chrono::steady_clock::time_point idle_since_{};
};

}  // namespace admit::outbound
