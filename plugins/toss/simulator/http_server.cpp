#include "http_server.hpp"

#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "simulator.hpp"

namespace admit::paysim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kMaxHold = std::chrono::hours(1);

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, Simulator& sim, int64_t max_body,
            std::shared_ptr<std::atomic<std::size_t>> active)
        : stream_(std::move(socket)),
          timer_(stream_.get_executor()),
          sim_(sim),
          max_body_(max_body),
          active_(std::move(active)) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::do_read, shared_from_this()));
    }

  private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(static_cast<std::uint64_t>(max_body_));
        parser_->header_limit(16 * 1024);
        stream_.expires_after(kIdleTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || ec == net::error::connection_reset ||
            ec == net::error::eof) {
            return close();
        }
        if (ec == http::error::body_limit) {
            return answer_error(413, "PAYLOAD_TOO_LARGE", "request body is too large");
        }
        if (ec)
            return answer_error(400, "INVALID_REQUEST", "malformed HTTP request: " + ec.message());
        auto& req = parser_->get();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        head_ = req.method() == http::verb::head;
        SimRequest sreq;
        sreq.method = std::string(req.method_string());
        std::string_view target = req.target();
        auto q = target.find('?');
        sreq.path = std::string(target.substr(0, q));
        if (q != std::string_view::npos) sreq.query = std::string(target.substr(q + 1));
        sreq.authorization = std::string(req[http::field::authorization]);
        sreq.idempotency_key = std::string(req["Idempotency-Key"]);
        sreq.content_type = std::string(req[http::field::content_type]);
        sreq.body = std::move(req.body());

        auto config = sim_.config().get();
        if (config->chaos.down && config->chaos.down_mode == DownMode::close &&
            !Simulator::is_control_path(sreq.path)) {
            bump(sim_.stats().down_closed);
            return close();
        }
        active_->fetch_add(1);
        counted_ = true;
        reply_ = sim_.handle(sreq);
        if (reply_.delay.count() > 0) {
            stream_.expires_never();
            timer_.expires_after(reply_.delay);
            timer_.async_wait(beast::bind_front_handler(&Session::act, shared_from_this()));
        } else {
            act({});
        }
    }

    void act(beast::error_code) {
        switch (reply_.action) {
            case ReplyAction::respond:
                return write();
            case ReplyAction::close:
                done_counting();
                return close();
            case ReplyAction::hold:
                done_counting();
                return hold();
        }
    }

    void write() {
        response_ = {};
        response_.version(version_);
        response_.result(static_cast<unsigned>(reply_.status));
        response_.set(http::field::server, "admit-pay-sim");
        response_.set(http::field::content_type, reply_.content_type);
        for (const auto& [name, value] : reply_.headers) response_.set(name, value);
        response_.body() = std::move(reply_.body);
        response_.keep_alive(keep_alive_);
        response_.prepare_payload();
        if (head_) response_.body().clear();
        stream_.expires_after(kIdleTimeout);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void answer_error(int status, const std::string& code, const std::string& message) {
        keep_alive_ = false;
        version_ = 11;
        reply_ = SimReply{};
        reply_.status = status;
        reply_.body =
            boost::json::serialize(boost::json::object{{"code", code}, {"message", message}});
        write();
    }

    void on_write(beast::error_code ec, std::size_t) {
        done_counting();
        if (ec || !response_.keep_alive()) return close();
        do_read();
    }

    // Timeout knob: say nothing until the client gives up (it closes), bounded by kMaxHold.
    void hold() {
        stream_.expires_after(kMaxHold);
        stream_.async_read_some(
            net::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) return self->close();
                self->hold();  // the client sent more bytes (pipelining): keep ignoring them
            });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

    void done_counting() {
        if (counted_) {
            active_->fetch_sub(1);
            counted_ = false;
        }
    }

    beast::tcp_stream stream_;
    net::steady_timer timer_;
    Simulator& sim_;
    int64_t max_body_;
    std::shared_ptr<std::atomic<std::size_t>> active_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    SimReply reply_;
    bool keep_alive_ = false;
    bool head_ = false;
    unsigned version_ = 11;
    bool counted_ = false;
    char sink_[512];
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
    Impl(net::io_context& io, Simulator& sim, tcp::endpoint endpoint, int64_t max_body)
        : io(io),
          sim(sim),
          strand(net::make_strand(io)),
          acceptor(strand),
          down_timer(strand),
          endpoint(endpoint),
          max_body(max_body) {
        open();
        // Port 0 picked an ephemeral port: keep it, so a reopen (down_mode refuse) reuses it.
        this->endpoint.port(acceptor.local_endpoint().port());
    }

    void open() {
        acceptor.open(endpoint.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(net::socket_base::max_listen_connections);
    }

    void do_accept() {
        if (!acceptor.is_open()) return;
        acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](
                                                        beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
            if (!ec) {
                std::make_shared<Session>(std::move(socket), self->sim, self->max_body,
                                          self->active)
                    ->run();
            }
            self->do_accept();
        });
    }

    // Runs on the strand.
    void set_down(const RuntimeConfig& config) {
        ++down_generation;
        down_timer.cancel();
        const auto& c = config.chaos;
        bool refuse = c.down && c.down_mode == DownMode::refuse;
        if (refuse && acceptor.is_open()) {
            beast::error_code ec;
            acceptor.close(ec);
            spdlog::warn("down: refusing connections for {} ms", c.down_for_ms);
        } else if (!refuse && !acceptor.is_open() && !stopped) {
            reopen();
        }
        if (c.down && c.down_for_ms > 0) {
            auto generation = down_generation;
            down_timer.expires_after(std::chrono::milliseconds(c.down_for_ms));
            down_timer.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
                if (ec || generation != self->down_generation) return;
                self->sim.config().patch(
                    boost::json::object{{"chaos", boost::json::object{{"down", false}}}});
                spdlog::info("down: period over, serving again");
                self->set_down(*self->sim.config().get());
            });
        }
    }

    void reopen() {
        try {
            open();
            do_accept();
            spdlog::info("down: accepting connections again");
        } catch (const std::exception& e) {
            spdlog::error("down: could not listen again on port {}: {}", endpoint.port(), e.what());
        }
    }

    net::io_context& io;
    Simulator& sim;
    net::strand<net::io_context::executor_type> strand;
    tcp::acceptor acceptor;
    net::steady_timer down_timer;
    tcp::endpoint endpoint;
    int64_t max_body;
    uint64_t down_generation = 0;
    bool stopped = false;
    std::shared_ptr<std::atomic<std::size_t>> active =
        std::make_shared<std::atomic<std::size_t>>(0);
};

HttpServer::HttpServer(net::io_context& io, Simulator& sim, const std::string& address,
                       uint16_t port, int64_t max_body_bytes)
    : impl_(std::make_shared<Impl>(io, sim, tcp::endpoint(net::ip::make_address(address), port),
                                   max_body_bytes)) {}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->endpoint.port(); }

void HttpServer::start() {
    net::dispatch(impl_->strand, [impl = impl_] {
        impl->do_accept();
        impl->set_down(*impl->sim.config().get());
    });
}

void HttpServer::stop() {
    net::dispatch(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->down_timer.cancel();
        beast::error_code ec;
        impl->acceptor.close(ec);
    });
}

std::size_t HttpServer::active_requests() const { return impl_->active->load(); }

void HttpServer::apply_down(const RuntimeConfig& config) {
    net::dispatch(impl_->strand, [impl = impl_, config] { impl->set_down(config); });
}

}  // namespace admit::paysim
