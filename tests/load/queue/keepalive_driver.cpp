#include "keepalive_driver.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>
#include <cstring>

namespace admit::load {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct KeepAliveDriver::Connection {
    explicit Connection(net::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string out;
    std::string in;
    std::size_t filled = 0;
    uint64_t n = 0;
    bool busy = false;
    bool connected = false;
};

namespace {

// The length of the complete answer at the front of in[0, filled), or 0 when incomplete; sets
// status and the body's place.
std::size_t complete_answer(const std::string& in, std::size_t filled, int& status,
                            std::size_t& body_at, std::size_t& body_length) {
    std::string_view text(in.data(), filled);
    const auto head_end = text.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return 0;
    if (text.size() < 12) return 0;
    status = std::atoi(std::string(text.substr(9, 3)).c_str());
    body_length = 0;
    std::size_t at = text.find("\r\n");
    while (at < head_end) {
        const std::size_t line_start = at + 2;
        const std::size_t line_end = text.find("\r\n", line_start);
        std::string_view line = text.substr(line_start, line_end - line_start);
        if (line.size() > 15 && strncasecmp(line.data(), "content-length:", 15) == 0)
            body_length = std::strtoull(std::string(line.substr(15)).c_str(), nullptr, 10);
        at = line_end;
    }
    body_at = head_end + 4;
    if (text.size() < body_at + body_length) return 0;
    return body_at + body_length;
}

}  // namespace

std::string make_request(std::string_view method, std::string_view target, std::string_view bearer,
                         std::string_view json_body) {
    std::string r;
    r.reserve(160 + json_body.size());
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: bench\r\n");
    if (!bearer.empty()) r.append("Authorization: Bearer ").append(bearer).append("\r\n");
    if (!json_body.empty()) r.append("Content-Type: application/json\r\n");
    if (method != "GET")
        r.append("Content-Length: ").append(std::to_string(json_body.size())).append("\r\n");
    r.append("\r\n").append(json_body);
    return r;
}

KeepAliveDriver::KeepAliveDriver(net::io_context& io, tcp::endpoint server, std::size_t connections)
    : io_(io), server_(std::move(server)) {
    for (std::size_t i = 0; i < connections; ++i)
        connections_.push_back(std::make_unique<Connection>(io_));
}

KeepAliveDriver::~KeepAliveDriver() {
    for (auto& c : connections_) {
        boost::system::error_code ignored;
        c->socket.close(ignored);
    }
}

std::size_t KeepAliveDriver::open() const {
    std::size_t n = 0;
    for (const auto& c : connections_) n += c->connected ? 1 : 0;
    return n;
}

void KeepAliveDriver::run(NextRequest next, OnAnswer on_answer,
                          std::chrono::steady_clock::time_point deadline) {
    next_ = std::move(next);
    on_answer_ = std::move(on_answer);
    deadline_ = deadline;
    exhausted_ = false;
    while (true) {
        // (Re)start every idle connection; a phase ends when none of them finds work.
        for (auto& c : connections_) {
            if (!c->busy) start(*c);
        }
        if (busy_ == 0) break;
        while (busy_ > 0) {
            io_.run_one_for(std::chrono::milliseconds(100));
            if (io_.stopped()) io_.restart();
        }
    }
}

void KeepAliveDriver::start(Connection& c) {
    if (c.connected) {
        send_next(c);
        return;
    }
    boost::system::error_code ec;
    c.socket = tcp::socket(io_);
    c.socket.connect(server_, ec);
    if (ec) return;  // this connection sits the phase out
    c.socket.set_option(tcp::no_delay(true), ec);
    c.connected = true;
    send_next(c);
}

void KeepAliveDriver::send_next(Connection& c) {
    if (exhausted_ || std::chrono::steady_clock::now() >= deadline_) {
        exhausted_ = true;
        return;
    }
    auto request = next_();
    if (!request) return;
    c.n = request->tag;
    c.out = std::move(request->text);
    c.busy = true;
    ++busy_;
    net::async_write(c.socket, net::buffer(c.out),
                     [this, &c](boost::system::error_code ec, std::size_t) {
                         if (ec) {
                             fail(c);
                             return;
                         }
                         read_more(c);
                     });
}

void KeepAliveDriver::read_more(Connection& c) {
    if (c.in.size() < c.filled + 16384) c.in.resize(c.filled + 16384);
    c.socket.async_read_some(net::buffer(c.in.data() + c.filled, c.in.size() - c.filled),
                             [this, &c](boost::system::error_code ec, std::size_t got) {
                                 if (ec) {
                                     fail(c);
                                     return;
                                 }
                                 c.filled += got;
                                 on_data(c);
                             });
}

void KeepAliveDriver::on_data(Connection& c) {
    int status = 0;
    std::size_t body_at = 0, body_length = 0;
    const std::size_t length = complete_answer(c.in, c.filled, status, body_at, body_length);
    if (length == 0) {
        read_more(c);
        return;
    }
    on_answer_(c.n, Answer{status, std::string_view(c.in.data() + body_at, body_length)});
    std::memmove(c.in.data(), c.in.data() + length, c.filled - length);
    c.filled -= length;
    c.busy = false;
    --busy_;
    send_next(c);
}

void KeepAliveDriver::fail(Connection& c) {
    if (c.busy) {
        c.busy = false;
        --busy_;
        on_answer_(c.n, Answer{0, {}});
    }
    boost::system::error_code ignored;
    c.socket.close(ignored);
    c.connected = false;
    c.filled = 0;
    // Reopen and go on with the phase (the server closed a keep-alive connection).
    if (!exhausted_) start(c);
}

}  // namespace admit::load
