// HttpServer: the Beast HTTP/1.1 server in front of Simulator::handle (keep-alive, a strand per
// connection, no thread blocked per connection). It applies the reply actions (latency delay,
// hold, close) and the "down" knob: down_mode "close" closes every non-control connection
// without an answer; "refuse" closes the listening socket for down_for_ms (connections are
// refused) and reopens it. A down_for_ms > 0 sets chaos.down back to false when it ends.
//
// Threading: the io_context is run by the caller's threads. start(), stop() and apply_down()
// may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim_config.hpp"

namespace boost::asio {
class io_context;
}

namespace admit::paysim {

class Simulator;

class HttpServer {
  public:
    // Binds and listens immediately (throws boost::system::system_error); port 0 = ephemeral.
    HttpServer(boost::asio::io_context& io, Simulator& sim, const std::string& address,
               uint16_t port, int64_t max_body_bytes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const;
    void start();
    // Stops accepting. Requests already read are still answered while the io_context runs.
    void stop();
    std::size_t active_requests() const;
    void apply_down(const RuntimeConfig& config);

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace admit::paysim
