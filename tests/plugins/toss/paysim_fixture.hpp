// Test support for admit-pay-sim: PaySim runs the real executable on an ephemeral port (through
// AdmitdProcess, which also works for it: it prints "listening on http://127.0.0.1:<port>"),
// WebhookReceiver is a raw-socket HTTP server that records deliveries.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"

namespace admit::paysim::testing {

inline constexpr const char* kSecret = "test_sk_paysim";
inline constexpr const char* kWebhookSecret = "whsec_paysim_test";

std::string basic_auth(const std::string& secret);
boost::json::object parse_object(const std::string& body);  // {} when not an object

class PaySim {
  public:
    // `toml` is the config file content; `journal` (optional) is passed as --journal.
    explicit PaySim(const std::string& toml = "", const std::string& journal = "");
    ~PaySim();

    uint16_t port() const { return port_; }
    admit::testing::AdmitdProcess& process() { return *process_; }

    admit::testing::HttpResult api(const std::string& method, const std::string& path,
                                   const std::string& body = "",
                                   std::map<std::string, std::string> headers = {});
    admit::testing::HttpResult get(const std::string& path);
    admit::testing::HttpResult post(const std::string& path, const std::string& body,
                                    std::map<std::string, std::string> headers = {});
    std::string approve(const std::string& order_id, int64_t amount);  // paymentKey
    admit::testing::HttpResult confirm(const std::string& key, const std::string& order_id,
                                       int64_t amount,
                                       std::map<std::string, std::string> headers = {});
    admit::testing::HttpResult cancel(const std::string& key, const std::string& body,
                                      std::map<std::string, std::string> headers = {});
    void set_config(const std::string& json_patch);                 // POST /sim/config, expects 200
    boost::json::object ledger_entry(const std::string& order_id);  // the order's only payment
    boost::json::object stats();
    std::string confirm_body(const std::string& key, const std::string& order_id, int64_t amount);

  private:
    std::filesystem::path config_;
    std::unique_ptr<admit::testing::AdmitdProcess> process_;
    uint16_t port_ = 0;
};

struct Delivery {
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

class WebhookReceiver {
  public:
    // close: answer "Connection: close" and close; keep_alive: keep the connection for more
    // requests; drop_after_answer: answer as keep-alive, then close (a connection that goes
    // stale in the sender's pool).
    enum class Mode { close, keep_alive, drop_after_answer };
    explicit WebhookReceiver(Mode mode = Mode::close);
    ~WebhookReceiver();
    uint16_t port() const { return port_; }
    std::string url() const;
    // Status codes to answer, in order; after the list, 200.
    void answer_with(std::vector<int> statuses);
    // Waits until `n` deliveries arrived; false on timeout.
    bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::vector<Delivery> deliveries() const;
    std::size_t connections() const;  // accepted so far

  private:
    void serve();
    void handle(int fd);
    Mode mode_;
    std::size_t connections_ = 0;
    std::vector<int> open_fds_;
    std::vector<std::thread> handlers_;
    int listen_fd_ = -1;
    uint16_t port_ = 0;
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<Delivery> deliveries_;
    std::vector<int> statuses_;
    std::thread thread_;
};

// Polls `condition` every 10 ms until true or the timeout passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A raw loopback connection for observing what a server does (or does not) send.
class RawConnection {
  public:
    explicit RawConnection(uint16_t port);
    ~RawConnection();
    bool connected() const { return fd_ >= 0; }
    void send(const std::string& bytes);
    void shutdown_write();
    // Reads until the server closes the connection (or the timeout); returns everything read.
    std::string read_to_eof(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  private:
    int fd_ = -1;
};

std::string http_post_bytes(const std::string& path, const std::string& body,
                            const std::map<std::string, std::string>& headers);

}  // namespace admit::paysim::testing
