#include "tests/outbound/test_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace admit::outbound::testing {

namespace {

// Reads/writes either the raw fd or its TLS session.
struct Channel {
    int fd;
    SSL* ssl = nullptr;
    // Bytes read, 0 on close, -1 on error; waits at most 100 ms so the caller can check stop.
    long read_some(char* buffer, std::size_t size, bool& idle) {
        idle = false;
        if (ssl == nullptr || SSL_pending(ssl) == 0) {
            pollfd p{fd, POLLIN, 0};
            const int ready = ::poll(&p, 1, 100);
            if (ready == 0) {
                idle = true;
                return -1;
            }
        }
        if (ssl != nullptr) {
            const int n = SSL_read(ssl, buffer, static_cast<int>(size));
            if (n > 0) return n;
            const int e = SSL_get_error(ssl, n);
            if (e == SSL_ERROR_WANT_READ) {
                idle = true;
                return -1;
            }
            return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
        }
        return ::recv(fd, buffer, size, 0);
    }
    bool write_all(const std::string& data) {
        std::size_t sent = 0;
        while (sent < data.size()) {
            const long n =
                ssl != nullptr
                    ? SSL_write(ssl, data.data() + sent, static_cast<int>(data.size() - sent))
                    : ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }
};

std::string query_value(const std::string& target, const std::string& name) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {};
    const std::string key = name + "=";
    auto at = target.find(key, q);
    if (at == std::string::npos) return {};
    at += key.size();
    return target.substr(at, target.find('&', at) - at);
}

std::string answer(int status, const std::string& body, bool close = false) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nContent-Type: text/plain\r\nX-Test: yes\r\n" +
           (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

}  // namespace

TestHttpServer::TestHttpServer(uint16_t port, const std::string& cert_file,
                               const std::string& key_file) {
    // SSL_write writes to the socket with write(): a client that already hung up (a refused
    // handshake, a timeout test) would kill the test process with SIGPIPE instead of failing the
    // write. The raw path sends with MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    if (!cert_file.empty()) {
        tls_ = SSL_CTX_new(TLS_server_method());
        if (tls_ == nullptr ||
            SSL_CTX_use_certificate_file(tls_, cert_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_use_PrivateKey_file(tls_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
            throw std::runtime_error("test server: cannot load the certificate");
        }
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        throw std::runtime_error("test server: cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { serve(); });
}

TestHttpServer::~TestHttpServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    std::vector<std::thread> handlers;
    {
        std::lock_guard lock(mutex_);
        for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
        handlers = std::move(handlers_);
    }
    for (auto& t : handlers) t.join();
    for (int fd : fds_) ::close(fd);
    if (tls_ != nullptr) SSL_CTX_free(tls_);
}

std::string TestHttpServer::url(const std::string& target) const {
    return std::string(tls_ != nullptr ? "https://localhost:" : "http://127.0.0.1:") +
           std::to_string(port_) + target;
}

std::size_t TestHttpServer::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::size_t TestHttpServer::requests(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto found = requests_.find(path);
    return found == requests_.end() ? 0 : found->second;
}

std::map<std::string, std::string> TestHttpServer::last_headers(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto found = last_headers_.find(path);
    return found == last_headers_.end() ? std::map<std::string, std::string>{} : found->second;
}

std::string TestHttpServer::last_body(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto found = last_body_.find(path);
    return found == last_body_.end() ? std::string{} : found->second;
}

void TestHttpServer::serve() {
    while (!stopping_) {
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) {
            if (stopping_) return;
            continue;
        }
        std::lock_guard lock(mutex_);
        ++connections_;
        fds_.push_back(fd);
        handlers_.emplace_back([this, fd] { handle(fd); });
    }
}

void TestHttpServer::handle(int fd) {
    Channel channel{fd};
    if (tls_ != nullptr) {
        channel.ssl = SSL_new(tls_);
        SSL_set_fd(channel.ssl, fd);
        if (SSL_accept(channel.ssl) != 1) {
            SSL_free(channel.ssl);
            ::close(fd);
            return;
        }
    }
    std::string buffer;
    char chunk[4096];
    bool open = true;
    while (open && !stopping_) {
        const auto header_end = buffer.find("\r\n\r\n");
        if (header_end == std::string::npos) {
            bool idle = false;
            const long n = channel.read_some(chunk, sizeof chunk, idle);
            if (idle) continue;
            if (n <= 0) break;
            buffer.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        const std::string head = buffer.substr(0, header_end);
        std::map<std::string, std::string> headers;
        std::size_t line_start = head.find("\r\n");
        const std::string request_line = head.substr(0, line_start);
        while (line_start != std::string::npos && line_start + 2 < head.size()) {
            const auto next = head.find("\r\n", line_start + 2);
            const std::string line = head.substr(line_start + 2, next - line_start - 2);
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                for (auto& c : name) c = static_cast<char>(std::tolower(c));
                std::string value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                headers[name] = value;
            }
            line_start = next;
        }
        const std::size_t length =
            headers.count("content-length") ? std::stoul(headers["content-length"]) : 0;
        while (buffer.size() < header_end + 4 + length && !stopping_) {
            bool idle = false;
            const long n = channel.read_some(chunk, sizeof chunk, idle);
            if (idle) continue;
            if (n <= 0) {
                open = false;
                break;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        if (!open || stopping_) break;
        const std::string body = buffer.substr(header_end + 4, length);
        buffer.erase(0, header_end + 4 + length);
        const auto space = request_line.find(' ');
        const std::string target =
            request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
        const std::string path = target.substr(0, target.find('?'));
        {
            std::lock_guard lock(mutex_);
            ++requests_[path];
            last_headers_[path] = headers;
            last_body_[path] = body;
        }
        std::string reply;
        if (path == "/ok") {
            reply = answer(200, "hello");
        } else if (path == "/status") {
            reply = answer(std::atoi(query_value(target, "code").c_str()), "status");
        } else if (path == "/big") {
            reply = answer(200, std::string(std::stoul(query_value(target, "bytes")), 'x'));
        } else if (path == "/slow") {
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::atoi(query_value(target, "ms").c_str())));
            reply = answer(200, "slow");
        } else if (path == "/close") {
            channel.write_all(answer(200, "bye", true));
            break;
        } else if (path == "/hang") {
            // Silent until the client gives up (closes) or the server stops.
            while (!stopping_) {
                bool idle = false;
                const long n = channel.read_some(chunk, sizeof chunk, idle);
                if (!idle && n <= 0) break;
            }
            open = false;
            break;
        } else {
            reply = answer(404, "no such path");
        }
        if (!channel.write_all(reply)) break;
    }
    if (channel.ssl != nullptr) SSL_free(channel.ssl);
    std::lock_guard lock(mutex_);
    ::shutdown(fd, SHUT_RDWR);
}

uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

bool make_self_signed(const std::string& dir, std::string& cert_file, std::string& key_file) {
    cert_file = dir + "/cert.pem";
    key_file = dir + "/key.pem";
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        key_file + " -out " + cert_file + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

}  // namespace admit::outbound::testing
