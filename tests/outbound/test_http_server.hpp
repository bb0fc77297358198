// TestHttpServer: a tiny real HTTP/1.1 server on a loopback port (plain or TLS through OpenSSL)
// for the outbound client's tests. One thread per connection; keep-alive. It counts accepted
// connections and requests per path so that tests can see retries and pool reuse from the server's
// side. Behaviour by path:
//   /ok                 200 "hello"
//   /status?code=N      status N
//   /big?bytes=N        200 with a body of N bytes
//   /hang               reads the request and never answers (until the client closes or stop)
//   /slow?ms=N          answers 200 after N ms
//   /close              200 with Connection: close, then closes
//   anything else       404
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace admit::outbound::testing {

class TestHttpServer {
  public:
    // port 0: ephemeral. cert/key (PEM files) given: the server speaks TLS.
    explicit TestHttpServer(uint16_t port = 0, const std::string& cert_file = "",
                            const std::string& key_file = "");
    ~TestHttpServer();
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    uint16_t port() const { return port_; }
    std::string url(const std::string& target) const;
    std::size_t connections() const;
    std::size_t requests(const std::string& path) const;
    // Headers of the last request to `path` (lower-case names).
    std::map<std::string, std::string> last_headers(const std::string& path) const;
    std::string last_body(const std::string& path) const;

  private:
    void serve();
    void handle(int fd);
    std::atomic<bool> stopping_{false};
    int listen_fd_ = -1;
    uint16_t port_ = 0;
    SSL_CTX* tls_ = nullptr;
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::thread> handlers_;
    std::vector<int> fds_;
    std::size_t connections_ = 0;
    std::map<std::string, std::size_t> requests_;
    std::map<std::string, std::map<std::string, std::string>> last_headers_;
    std::map<std::string, std::string> last_body_;
};

// A loopback port with nothing listening on it (bound, then closed).
uint16_t unused_port();

// Writes a self-signed certificate for "localhost" / 127.0.0.1 (openssl CLI) into `dir`; returns
// false when it could not.
bool make_self_signed(const std::string& dir, std::string& cert_file, std::string& key_file);

}  // namespace admit::outbound::testing
