// HttpPoster: sends one HTTP/1.1 POST and reports the status. The Beast implementation
// (http_client.cpp) runs on the given io_context and keeps idle keep-alive connections per
// host:port for reuse (a stale one is retried once on a new connection); the timeout applies to
// each step (resolve+connect, write, read). post() is thread-safe and
// never blocks; `done` runs on an io_context thread exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace admit::paysim {

struct HttpTarget {
    std::string host;
    std::string port;
    std::string target;  // path and query
};

class HttpPoster {
  public:
    using Done = std::function<void(int status, std::string error)>;  // status 0: transport error
    virtual ~HttpPoster() = default;
    virtual void post(const HttpTarget& to, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers,
                      std::chrono::milliseconds timeout, Done done) = 0;
};

std::unique_ptr<HttpPoster> make_http_poster(boost::asio::io_context& io);

}  // namespace admit::paysim
