#include "http_load_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace admit::load {

HttpLoadClient::HttpLoadClient(std::string host, uint16_t port, std::size_t connections,
                               OnAnswer on_answer)
    : host_(std::move(host)),
      port_(port),
      on_answer_(std::move(on_answer)),
      connections_(connections) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
}

HttpLoadClient::~HttpLoadClient() {
    for (auto& c : connections_) {
        if (c.fd >= 0) ::close(c.fd);
    }
    if (epoll_ >= 0) ::close(epoll_);
}

bool HttpLoadClient::open(Connection& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    ::inet_pton(AF_INET, host_.c_str(), &address.sin_addr);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(c.fd);
        c.fd = -1;
        return false;
    }
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = static_cast<uint64_t>(&c - connections_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
    c.in.clear();
    c.out.clear();
    c.written = 0;
    c.busy = false;
    c.wants_write = false;
    return true;
}

bool HttpLoadClient::connect(std::string& error) {
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        if (!open(connections_[i])) {
            error = "cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                    std::strerror(errno);
            return false;
        }
        idle_.push_back(i);
    }
    return true;
}

void HttpLoadClient::send(uint64_t tag, const std::string& request) {
    const std::size_t index = idle_.back();
    idle_.pop_back();
    auto& c = connections_[index];
    c.tag = tag;
    c.busy = true;
    c.sent_at = Clock::now();
    ++in_flight_;
    c.out = request;
    c.written = 0;
    on_writable(index);
}

void HttpLoadClient::on_writable(std::size_t index) {
    auto& c = connections_[index];
    while (c.written < c.out.size()) {
        const ssize_t n =
            ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
        if (n > 0) {
            c.written += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c.wants_write) {
                epoll_event event{};
                event.events = EPOLLIN | EPOLLOUT;
                event.data.u64 = index;
                ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
                c.wants_write = true;
            }
            return;
        } else {
            fail(index);
            return;
        }
    }
    if (c.wants_write) {  // only touch epoll when the interest changes: one syscall less per
                          // request
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = index;
        ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
        c.wants_write = false;
    }
}

void HttpLoadClient::fail(std::size_t index, const char* reason) {
    auto& c = connections_[index];
    const bool was_busy = c.busy;
    const uint64_t tag = c.tag;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    c.busy = false;
    if (was_busy) --in_flight_;
    std::erase(idle_, index);  // an idle connection is listed already: never list it twice
    if (open(c)) {
        idle_.push_back(index);
    } else {
        ++closed_;
    }
    if (was_busy) on_answer_(tag, HttpAnswer{0, reason, {}, Clock::now()});
}

std::size_t HttpLoadClient::expire(Clock::time_point cutoff) {
    std::size_t expired = 0;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        if (connections_[i].busy && connections_[i].sent_at < cutoff) {
            fail(i, "TIMEOUT");
            ++expired;
        }
    }
    return expired;
}

void HttpLoadClient::reopen_closed() {
    const auto now = Clock::now();
    if (closed_ == 0 || now - last_reopen_ < std::chrono::milliseconds(100)) return;
    last_reopen_ = now;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        if (connections_[i].fd >= 0) continue;
        if (!open(connections_[i])) return;  // still refused: try again later
        --closed_;
        idle_.push_back(i);
    }
}

std::size_t HttpLoadClient::complete_length(const std::string& in, std::size_t& header_end,
                                            std::size_t& body_length) {
    header_end = in.find("\r\n\r\n");
    if (header_end == std::string::npos) return 0;
    body_length = 0;
    std::size_t at = 0;
    while (at < header_end) {
        const std::size_t eol = in.find("\r\n", at);
        if (eol - at > 15 && ::strncasecmp(in.data() + at, "content-length:", 15) == 0) {
            body_length = std::strtoul(in.data() + at + 15, nullptr, 10);
        }
        at = eol + 2;
    }
    const std::size_t total = header_end + 4 + body_length;
    return in.size() >= total ? total : 0;
}

void HttpLoadClient::on_readable(std::size_t index) {
    auto& c = connections_[index];
    char buffer[16384];
    bool closed = false;
    for (;;) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.in.append(buffer, static_cast<std::size_t>(n));
            if (static_cast<std::size_t>(n) < sizeof buffer)
                break;  // drained: skip the EAGAIN recv
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        closed = true;
        break;
    }
    std::size_t header_end = 0, body_length = 0;
    const std::size_t length = c.busy ? complete_length(c.in, header_end, body_length) : 0;
    if (length == 0) {
        if (closed) fail(index);
        return;
    }
    HttpAnswer answer;
    answer.received = Clock::now();
    answer.status = c.in.size() > 12 ? std::atoi(c.in.data() + 9) : 0;
    if (answer.status >= 400) {
        const std::size_t code = c.in.find("\"code\":\"", header_end);
        if (code != std::string::npos && code < length) {
            const std::size_t end = c.in.find('"', code + 8);
            answer.error_code = c.in.substr(code + 8, end - code - 8);
        }
    }
    if (keep_body_) answer.body = c.in.substr(header_end + 4, body_length);
    c.in.erase(0, length);
    c.busy = false;
    --in_flight_;
    if (closed) {
        fail(index);  // reopens; not busy, so nothing is reported twice
    } else {
        idle_.push_back(index);
    }
    on_answer_(c.tag, answer);
}

void HttpLoadClient::poll(std::chrono::milliseconds timeout) {
    reopen_closed();
    epoll_event events[256];
    const int n = ::epoll_wait(epoll_, events, 256, static_cast<int>(timeout.count()));
    for (int i = 0; i < n; ++i) {
        const auto index = static_cast<std::size_t>(events[i].data.u64);
        if (connections_[index].fd < 0) continue;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) {
            fail(index);
        } else {
            if (events[i].events & EPOLLOUT) on_writable(index);
            if (events[i].events & EPOLLIN) on_readable(index);
        }
    }
}

}  // namespace admit::load
