#include "http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace admit::paysim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// One POST: resolve, connect, write, read, close. Owns itself through shared_from_this.
class PostOp : public std::enable_shared_from_this<PostOp> {
  public:
    PostOp(net::io_context& io, HttpTarget to, std::string body,
           std::vector<std::pair<std::string, std::string>> headers,
           std::chrono::milliseconds timeout, HttpPoster::Done done)
        : resolver_(io),
          stream_(io),
          to_(std::move(to)),
          timeout_(timeout),
          done_(std::move(done)) {
        request_.method(http::verb::post);
        request_.target(to_.target);
        request_.version(11);
        request_.set(http::field::host, to_.host + ":" + to_.port);
        request_.set(http::field::user_agent, "admit-pay-sim");
        request_.set(http::field::connection, "close");
        for (auto& [name, value] : headers) request_.set(name, value);
        request_.body() = std::move(body);
        request_.prepare_payload();
    }

    void run() {
        stream_.expires_after(timeout_);
        resolver_.async_resolve(to_.host, to_.port,
                                beast::bind_front_handler(&PostOp::on_resolve, shared_from_this()));
    }

  private:
    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return finish(0, "resolve: " + ec.message());
        stream_.async_connect(results,
                              beast::bind_front_handler(&PostOp::on_connect, shared_from_this()));
    }
    void on_connect(beast::error_code ec, tcp::endpoint) {
        if (ec) return finish(0, "connect: " + ec.message());
        http::async_write(stream_, request_,
                          beast::bind_front_handler(&PostOp::on_write, shared_from_this()));
    }
    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return finish(0, "write: " + ec.message());
        http::async_read(stream_, buffer_, response_,
                         beast::bind_front_handler(&PostOp::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return finish(0, "read: " + ec.message());
        finish(static_cast<int>(response_.result_int()), {});
    }
    void finish(int status, std::string error) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
        auto done = std::move(done_);
        done(status, std::move(error));
    }

    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    HttpTarget to_;
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
        auto op = std::make_shared<PostOp>(io_, to, std::move(body), std::move(headers), timeout,
                                           std::move(done));
        net::post(io_, [op] { op->run(); });
    }

  private:
    net::io_context& io_;
};

}  // namespace

std::unique_ptr<HttpPoster> make_http_poster(net::io_context& io) {
    return std::make_unique<BeastPoster>(io);
}

}  // namespace admit::paysim
