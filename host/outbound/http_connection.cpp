#include "host/outbound/http_connection.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <optional>

namespace admit::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct HttpConnection::Impl {
    asio::io_context io{1};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    // Runs handlers on this thread until `done`; the stream's expiry closes the socket on a
    // deadline, which completes the pending operation with an error.
    void run_until(const bool& done) {
        io.restart();
        while (!done) {
            if (io.run_one() == 0) break;
        }
    }
};

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpConnection::~HttpConnection() {
    if (impl_) {
        error_code ignored;
        impl_->lowest().socket().close(ignored);
    }
}

Result<std::unique_ptr<HttpConnection>> HttpConnection::open(const TargetUrl& url,
                                                             asio::ssl::context* tls,
                                                             std::chrono::milliseconds timeout) {
    auto impl = std::make_unique<Impl>();
    const auto deadline = std::chrono::steady_clock::now() + timeout;

    // Resolve (bounded by the same deadline).
    tcp::resolver resolver(impl->io);
    asio::steady_timer resolve_timer(impl->io, deadline);
    bool resolved = false;
    error_code resolve_error;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](const error_code& ec, tcp::resolver::results_type results) {
                               resolve_error = ec;
                               endpoints = std::move(results);
                               resolved = true;
                               resolve_timer.cancel();
                           });
    resolve_timer.async_wait([&](const error_code& ec) {
        if (!ec) resolver.cancel();
    });
    impl->run_until(resolved);
    if (!resolved || resolve_error) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "resolving " + url.host + " failed: " +
                         (resolved ? resolve_error.message() : std::string("timed out"))};
    }

    if (url.tls) {
        if (tls == nullptr)
            return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "https is not configured on this host"};
        impl->secure.emplace(impl->io, *tls);
    } else {
        impl->plain.emplace(impl->io);
    }
    auto& tcp_stream = impl->lowest();
    tcp_stream.expires_at(deadline);
    bool connected = false;
    error_code connect_error;
    tcp_stream.async_connect(endpoints, [&](const error_code& ec, const tcp::endpoint&) {
        connect_error = ec;
        connected = true;
    });
    impl->run_until(connected);
    if (!connected || connect_error) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "connecting to " + url.upstream() + " failed: " +
                         (connect_error == beast::error::timeout ? std::string("timed out")
                                                                 : connect_error.message())};
    }
    tcp_stream.socket().set_option(tcp::no_delay(true));
    if (impl->secure) {
        auto& stream = *impl->secure;
        if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
            return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "TLS: cannot set the server name"};
        }
        stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
        bool shaken = false;
        error_code handshake_error;
        stream.async_handshake(asio::ssl::stream_base::client, [&](const error_code& ec) {
            handshake_error = ec;
            shaken = true;
        });
        impl->run_until(shaken);
        if (!shaken || handshake_error) {
            return Error{
                ErrorCode::DEPENDENCY_UNAVAILABLE,
                "TLS handshake with " + url.upstream() + " failed: " +
                    (handshake_error == beast::error::timeout ? std::string("timed out")
                                                              : handshake_error.message())};
        }
    }
    tcp_stream.expires_never();
    return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(impl)));
}

namespace {

template <class Stream>
ExchangeResult exchange_on(Stream& stream, HttpConnection::Impl& impl, const WireRequest& request,
                           std::chrono::milliseconds timeout, std::uint64_t max_body_bytes) {
    ExchangeResult result;
    http::request<http::string_body> message;
    message.version(11);
    message.method_string(request.method);
    message.target(request.target);
    message.set(http::field::host, request.host_header);
    for (const auto& [name, value] : request.headers) message.insert(name, value);
    message.body() = request.body;
    message.keep_alive(true);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
        message.prepare_payload();
    }

    impl.lowest().expires_after(timeout);
    bool written = false;
    error_code write_error;
    http::async_write(stream, message, [&](const error_code& ec, std::size_t) {
        write_error = ec;
        written = true;
    });
    impl.run_until(written);
    if (!written || write_error) {
        result.outcome = ExchangeOutcome::no_answer;
        result.message = "writing the request failed: " + (write_error == beast::error::timeout
                                                               ? std::string("timed out")
                                                               : write_error.message());
        return result;
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(max_body_bytes);
    if (request.method == "HEAD") parser.skip(true);
    bool read = false;
    error_code read_error;
    http::async_read(stream, impl.buffer, parser, [&](const error_code& ec, std::size_t) {
        read_error = ec;
        read = true;
    });
    impl.run_until(read);
    if (!read || read_error) {
        if (read_error == http::error::body_limit) {
            result.outcome = ExchangeOutcome::too_large;
            result.message =
                "the response body exceeds " + std::to_string(max_body_bytes) + " bytes";
        } else {
            result.outcome = ExchangeOutcome::no_answer;
            result.message =
                "no answer: " + (read_error == beast::error::timeout ? std::string("read timed out")
                                                                     : read_error.message());
        }
        return result;
    }
    impl.lowest().expires_never();
    auto& response = parser.get();
    result.response.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    result.response.body = std::move(response.body());
    result.response.keep_alive = response.keep_alive();
    return result;
}

}  // namespace

ExchangeResult HttpConnection::exchange(const WireRequest& request,
                                        std::chrono::milliseconds timeout,
                                        std::uint64_t max_body_bytes) {
    impl_->buffer.clear();
    ExchangeResult result =
        impl_->secure ? exchange_on(*impl_->secure, *impl_, request, timeout, max_body_bytes)
                      : exchange_on(*impl_->plain, *impl_, request, timeout, max_body_bytes);
    reusable_ = result.outcome == ExchangeOutcome::answered && result.response.keep_alive &&
                impl_->buffer.size() == 0;
    return result;
}

bool HttpConnection::still_open() const {
    const int fd = impl_->lowest().socket().native_handle();
    char byte = 0;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;  // orderly close by the peer
    if (n > 0) return false;   // unasked-for bytes (or a TLS alert): do not reuse
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

}  // namespace admit::outbound
