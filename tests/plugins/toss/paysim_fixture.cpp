#include "paysim_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace admit::paysim::testing {

namespace json = boost::json;
using admit::testing::HttpResult;

std::string basic_auth(const std::string& secret) {
    std::string raw = secret + ":";
    std::vector<unsigned char> out(4 * ((raw.size() + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(raw.data()),
                            static_cast<int>(raw.size()));
    return "Basic " +
           std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
}

json::object parse_object(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    return v.as_object();
}

PaySim::PaySim(const std::string& toml, const std::string& journal) {
    config_ = admit::testing::write_temp_file("paysim.toml", toml);
    std::vector<std::string> args{"--config", config_.string(), "--port", "0"};
    if (!journal.empty()) {
        args.push_back("--journal");
        args.push_back(journal);
    }
    process_ = std::make_unique<admit::testing::AdmitdProcess>(
        ADMIT_PAYSIM_BINARY, args,
        std::vector<std::string>{std::string("ADMIT_PAYSIM_SECRET_KEY=") + kSecret,
                                 std::string("ADMIT_PAYSIM_WEBHOOK_SECRET=") + kWebhookSecret});
    auto port = process_->wait_until_serving(std::chrono::seconds(10));
    if (!port) throw std::runtime_error("admit-pay-sim did not start:\n" + process_->log());
    port_ = *port;
}

PaySim::~PaySim() {
    std::error_code ec;
    std::filesystem::remove_all(config_.parent_path(), ec);
}

HttpResult PaySim::api(const std::string& method, const std::string& path, const std::string& body,
                       std::map<std::string, std::string> headers) {
    if (!headers.count("Authorization")) headers["Authorization"] = basic_auth(kSecret);
    if (!body.empty()) headers.emplace("Content-Type", "application/json");
    return admit::testing::http_request(port_, method, path, body, headers);
}

HttpResult PaySim::get(const std::string& path) {
    return admit::testing::http_request(port_, "GET", path);
}

HttpResult PaySim::post(const std::string& path, const std::string& body,
                        std::map<std::string, std::string> headers) {
    headers.emplace("Content-Type", "application/json");
    return admit::testing::http_request(port_, "POST", path, body, headers);
}

std::string PaySim::approve(const std::string& order_id, int64_t amount) {
    auto r = post("/sim/approve",
                  json::serialize(json::object{
                      {"orderId", order_id}, {"amount", amount}, {"orderName", "Seat A-1"}}));
    if (r.status != 200)
        throw std::runtime_error("approve failed: " + std::to_string(r.status) + " " + r.body);
    return std::string(parse_object(r.body).at("paymentKey").as_string());
}

std::string PaySim::confirm_body(const std::string& key, const std::string& order_id,
                                 int64_t amount) {
    return json::serialize(
        json::object{{"paymentKey", key}, {"orderId", order_id}, {"amount", amount}});
}

HttpResult PaySim::confirm(const std::string& key, const std::string& order_id, int64_t amount,
                           std::map<std::string, std::string> headers) {
    return api("POST", "/v1/payments/confirm", confirm_body(key, order_id, amount),
               std::move(headers));
}

HttpResult PaySim::cancel(const std::string& key, const std::string& body,
                          std::map<std::string, std::string> headers) {
    return api("POST", "/v1/payments/" + key + "/cancel", body, std::move(headers));
}

void PaySim::set_config(const std::string& patch) {
    auto r = post("/sim/config", patch);
    if (r.status != 200) throw std::runtime_error("config refused: " + r.body);
}

json::object PaySim::ledger_entry(const std::string& order_id) {
    auto r = get("/sim/ledger?orderId=" + order_id);
    auto o = parse_object(r.body);
    if (!o.contains("payments") || o.at("payments").as_array().empty()) return {};
    return o.at("payments").as_array().back().as_object();
}

json::object PaySim::stats() { return parse_object(get("/sim/stats").body); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

// --- WebhookReceiver ---------------------------------------------------------------------

WebhookReceiver::WebhookReceiver(Mode mode) : mode_(mode) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 128) != 0) {
        throw std::runtime_error("webhook receiver: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

WebhookReceiver::~WebhookReceiver() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
    {
        std::lock_guard lock(mutex_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : handlers_) t.join();
}

std::string WebhookReceiver::url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/payments/webhooks/toss";
}

void WebhookReceiver::answer_with(std::vector<int> statuses) {
    std::lock_guard lock(mutex_);
    statuses_ = std::move(statuses);
}

bool WebhookReceiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return deliveries_.size() >= n; });
}

std::vector<Delivery> WebhookReceiver::deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
}

std::size_t WebhookReceiver::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

void WebhookReceiver::serve() {
    for (;;) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;  // closed by the destructor
        std::lock_guard lock(mutex_);
        ++connections_;
        open_fds_.push_back(fd);
        handlers_.emplace_back([this, fd] { handle(fd); });
    }
}

// Serves requests on one connection until the peer closes it or the mode says to close.
void WebhookReceiver::handle(int fd) {
    std::string raw;
    char buf[8192];
    for (;;) {
        std::size_t head_end = std::string::npos;
        std::size_t content_length = 0;
        bool complete = false;
        while (!complete) {
            if (head_end == std::string::npos) head_end = raw.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                std::string lower = raw.substr(0, head_end);
                std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
                auto cl = lower.find("content-length:");
                content_length = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15));
                complete = raw.size() >= head_end + 4 + content_length;
                if (complete) break;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0) break;
            auto n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            raw.append(buf, static_cast<std::size_t>(n));
        }
        if (!complete) break;
        Delivery d;
        d.body = raw.substr(head_end + 4, content_length);
        d.headers = admit::testing::parse_header_lines(raw, head_end);
        raw.erase(0, head_end + 4 + content_length);
        int status = 200;
        {
            std::lock_guard lock(mutex_);
            if (!statuses_.empty()) {
                status = statuses_.front();
                statuses_.erase(statuses_.begin());
            }
            deliveries_.push_back(std::move(d));
        }
        arrived_.notify_all();
        std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n" +
                            (mode_ == Mode::close ? "Connection: close\r\n" : "") + "\r\n";
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        if (mode_ != Mode::keep_alive) break;
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
}

// --- RawConnection -----------------------------------------------------------------------

RawConnection::RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
    ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

void RawConnection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string RawConnection::read_to_eof(std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            out += "<timeout>";
            return out;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

std::string http_post_bytes(const std::string& path, const std::string& body,
                            const std::map<std::string, std::string>& headers) {
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
    return req;
}

}  // namespace admit::paysim::testing
