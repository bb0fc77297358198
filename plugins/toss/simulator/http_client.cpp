#include "http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace admit::paysim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kMaxIdlePerTarget = 64;

// Idle keep-alive connections per "host:port". Thread-safe.
class ConnectionPool {
  public:
    std::optional<tcp::socket> take(const std::string& key) {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(key);
        if (it == idle_.end() || it->second.empty()) return std::nullopt;
        std::optional<tcp::socket> s(std::move(it->second.back()));
        it->second.pop_back();
        return s;
    }
    void give(const std::string& key, tcp::socket&& stream) {
        std::lock_guard lock(mutex_);
        auto& list = idle_[key];
        if (list.size() < kMaxIdlePerTarget) list.push_back(std::move(stream));
    }

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<tcp::socket>> idle_;
};

// One POST: reuse an idle connection or resolve and connect, write, read, then hand the
// connection back to the pool (keep-alive) or close it. A reused connection that fails before
// any answer (the server closed it while idle) is retried once on a fresh connection. Owns
// itself through shared_from_this.
class PostOp : public std::enable_shared_from_this<PostOp> {
  public:
    PostOp(net::io_context& io, ConnectionPool& pool, HttpTarget to, std::string body,
           std::vector<std::pair<std::string, std::string>> headers,
           std::chrono::milliseconds timeout, HttpPoster::Done done)
        : io_(io),
          pool_(pool),
          resolver_(io),
          to_(std::move(to)),
          key_(to_.host + ":" + to_.port),
          timeout_(timeout),
          done_(std::move(done)) {
        request_.method(http::verb::post);
        request_.target(to_.target);
        request_.version(11);
        request_.set(http::field::host, key_);
        request_.set(http::field::user_agent, "admit-pay-sim");
        for (auto& [name, value] : headers) request_.set(name, value);
        request_.body() = std::move(body);
        request_.prepare_payload();
    }

    void run() {
        if (auto socket = pool_.take(key_)) {
            stream_.emplace(std::move(*socket));
            reused_ = true;
            return write();
        }
        connect();
    }

  private:
    void connect() {
        reused_ = false;
        stream_.emplace(io_);
        stream_->expires_after(timeout_);
        resolver_.async_resolve(to_.host, to_.port,
                                beast::bind_front_handler(&PostOp::on_resolve, shared_from_this()));
    }
    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return finish(0, "resolve: " + ec.message());
        stream_->async_connect(results,
                               beast::bind_front_handler(&PostOp::on_connect, shared_from_this()));
    }
    void on_connect(beast::error_code ec, tcp::endpoint) {
        if (ec) return finish(0, "connect: " + ec.message());
        write();
    }
    void write() {
        stream_->expires_after(timeout_);
        http::async_write(*stream_, request_,
                          beast::bind_front_handler(&PostOp::on_write, shared_from_this()));
    }
    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return failed("write: " + ec.message());
        response_ = {};
        buffer_.clear();
        http::async_read(*stream_, buffer_, response_,
                         beast::bind_front_handler(&PostOp::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return failed("read: " + ec.message());
        finish(static_cast<int>(response_.result_int()), {});
    }
    void failed(std::string error) {
        if (reused_) {
            // A stale idle connection: try once more on a new one.
            close();
            return connect();
        }
        finish(0, std::move(error));
    }
    void close() {
        beast::error_code ignored;
        stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_->socket().close(ignored);
    }
    void finish(int status, std::string error) {
        if (status != 0 && response_.keep_alive() && buffer_.size() == 0) {
            pool_.give(key_, stream_->release_socket());
        } else if (stream_) {
            close();
        }
        stream_.reset();
        auto done = std::move(done_);
        done(status, std::move(error));
    }

    net::io_context& io_;
    ConnectionPool& pool_;
    tcp::resolver resolver_;
    std::optional<beast::tcp_stream> stream_;
    bool reused_ = false;
    HttpTarget to_;
    std::string key_;
    std::chrono::milliseconds timeout_;
    HttpPoster::Done done_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    beast::flat_buffer buffer_;
};

class BeastPoster : public HttpPoster {
  public:
    explicit BeastPoster(net::io_context& io) : io_(io) {}
    void post(const HttpTarget& to, std::string body,
              std::vector<std::pair<std::string, std::string>> headers,
              std::chrono::milliseconds timeout, Done done) override {
        auto op = std::make_shared<PostOp>(io_, pool_, to, std::move(body), std::move(headers),
                                           timeout, std::move(done));
        net::post(io_, [op] { op->run(); });
    }

  private:
    net::io_context& io_;
    ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<HttpPoster> make_http_poster(net::io_context& io) {
    return std::make_unique<BeastPoster>(io);
}

}  // namespace admit::paysim
