#include "sse_holder.hpp"

#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace admit::load {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct SseHolder::Stream {
    explicit Stream(net::io_context& io, StreamSpec s) : socket(io), spec(std::move(s)) {}
    tcp::socket socket;
    StreamSpec spec;
    std::string request;
    std::string pending;  ///< the unfinished last line
    char buffer[8192];
    bool head_seen = false;
    bool ready = false;
    bool told = false;
    bool done = false;         ///< failed or closed
    bool in_progress = false;  ///< connecting or waiting for the snapshot (counts in connecting_)
    double told_at = 0;
};

namespace {

double now_epoch() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

SseHolder::SseHolder(net::io_context& io, tcp::endpoint server)
    : io_(io), server_(std::move(server)) {}

SseHolder::~SseHolder() { close_all(); }

void SseHolder::open(std::vector<StreamSpec> specs, std::size_t concurrent) {
    concurrent_ = std::max<std::size_t>(1, concurrent);
    for (auto& spec : specs) streams_.push_back(std::make_unique<Stream>(io_, std::move(spec)));
    while (connecting_ < concurrent_ && next_ < streams_.size()) connect_next();
}

std::size_t SseHolder::pending() const { return streams_.size() - ready_ - failed_; }

void SseHolder::connect_next() {
    if (next_ >= streams_.size()) return;
    Stream& s = *streams_[next_++];
    boost::system::error_code ec;
    s.socket.open(tcp::v4(), ec);
    if (!ec) s.socket.set_option(net::socket_base::reuse_address(true), ec);
    // The port is picked at connect() (by the 4-tuple) instead of at bind(): a bind to port 0
    // searches the address's bound ports, which gets slow once thousands of them are taken.
    if (!ec) {
        const int on = 1;
        if (::setsockopt(s.socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
                         sizeof on) != 0)
            ec.assign(errno, boost::system::system_category());
    }
    if (!ec) s.socket.bind(tcp::endpoint(net::ip::make_address(s.spec.source_ip), 0), ec);
    if (ec) {
        fail(s, "bind:" + ec.message());
        connect_next();
        return;
    }
    s.in_progress = true;
    ++connecting_;
    s.socket.async_connect(server_, [this, &s](boost::system::error_code ec) {
        if (ec) {
            fail(s, "connect:" + ec.message());
            return;
        }
        on_connected(s);
    });
}

void SseHolder::on_connected(Stream& s) {
    s.request = "GET " + s.spec.target +
                " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                s.spec.bearer + "\r\n\r\n";
    net::async_write(s.socket, net::buffer(s.request),
                     [this, &s](boost::system::error_code ec, std::size_t) {
                         if (ec) {
                             fail(s, "write:" + ec.message());
                             return;
                         }
                         read(s);
                     });
}

void SseHolder::read(Stream& s) {
    s.socket.async_read_some(
        net::buffer(s.buffer), [this, &s](boost::system::error_code ec, std::size_t got) {
            if (ec) {
                fail(s, s.ready ? "closed:" + ec.message() : "before-snapshot:" + ec.message());
                return;
            }
            bytes_ += got;
            const std::size_t from = s.pending.size();
            s.pending.append(s.buffer, got);
            scan(s, from);
            if (s.done) return;
            read(s);
        });
}

// Looks at the complete lines of s.pending: the status line, the snapshot, and "data:" lines of
// updates that may name this stream's join id. Once a stream was told, it only drains.
void SseHolder::scan(Stream& s, std::size_t from) {
    std::size_t start = 0;
    std::size_t newline = s.pending.find('\n', from);
    while (newline != std::string::npos) {
        std::string_view line(s.pending.data() + start, newline - start);
        if (!s.head_seen) {
            s.head_seen = true;
            if (line.size() < 12 || line.substr(9, 3) != "200") {
                fail(s, "status:" + std::string(line.size() >= 12 ? line.substr(9, 3) : line));
                return;
            }
        } else if (!s.ready) {
            if (line.rfind("event: snapshot", 0) == 0) {
                s.ready = true;
                ++ready_;
                settle(s);
            }
        } else if (!s.told && line.rfind("data: ", 0) == 0 &&
                   line.find("\"admitted\":[\"") != std::string_view::npos &&
                   line.find(s.spec.join_id) != std::string_view::npos) {
            s.told = true;
            s.told_at = now_epoch();
        }
        start = newline + 1;
        newline = s.pending.find('\n', start);
    }
    s.pending.erase(0, start);
}

void SseHolder::settle(Stream& s) {
    if (!s.in_progress) return;
    s.in_progress = false;
    --connecting_;
    while (connecting_ < concurrent_ && next_ < streams_.size()) connect_next();
}

void SseHolder::fail(Stream& s, const std::string& reason) {
    if (s.done) return;
    s.done = true;
    if (s.ready)
        ++closed_;
    else
        ++failed_;
    settle(s);
    boost::system::error_code ignored;
    s.socket.close(ignored);
    auto it = std::find_if(failures_.begin(), failures_.end(),
                           [&](const auto& f) { return f.first == reason; });
    if (it == failures_.end())
        failures_.emplace_back(reason, 1);
    else
        ++it->second;
}

std::vector<SseHolder::Told> SseHolder::told() const {
    std::vector<Told> out;
    for (const auto& s : streams_) {
        if (s->told) out.push_back({s->spec.join_id, s->told_at});
    }
    return out;
}

std::string SseHolder::failure_summary() const {
    std::string out;
    for (const auto& [reason, count] : failures_)
        out += (out.empty() ? "" : " ") + reason + "=" + std::to_string(count);
    return out;
}

void SseHolder::close_all() {
    for (auto& s : streams_) {
        s->done = true;
        boost::system::error_code ignored;
        s->socket.close(ignored);
    }
}

}  // namespace admit::load
