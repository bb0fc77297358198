#include "host/http/server.hpp"

#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "host/http/connection.hpp"

namespace admit::http {

using detail::Connection;
using detail::ServerCore;
namespace net = detail::net;
using tcp = detail::tcp;

namespace detail {

namespace {
std::shared_ptr<observe::MetricsRegistry> registry_or_new(const ServerOptions& options) {
    return options.metrics ? options.metrics : std::make_shared<observe::MetricsRegistry>();
}
}  // namespace

ServerCore::ServerCore(ServerOptions opts, Server::Handler h)
    : options(std::move(opts)),
      handler(std::move(h)),
      registry(registry_or_new(options)),
      metrics(*registry),
      hub(&metrics.sse_events()),
      limits(ConnectionLimits::create(
          {options.max_connections, options.max_connections_per_ip, options.max_streams_per_ip})) {}

void ServerCore::add_connection(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex);
    connections.emplace(connection.get(), connection);
}

void ServerCore::remove_connection(Connection* connection) {
    std::lock_guard lock(connections_mutex);
    connections.erase(connection);
    if (connections.empty()) connections_changed.notify_all();
}

}  // namespace detail

struct Server::Impl {
    Impl(ServerOptions options, Handler handler)
        : core(std::make_unique<ServerCore>(std::move(options), std::move(handler))) {}

    void accept_next();
    // Posts `fn(connection)` to every live connection's own executor.
    template <typename Fn>
    void for_each_connection(Fn fn);
    // Waits until no connection is left or `deadline`; true when none is left.
    bool wait_for_no_connections(std::chrono::steady_clock::time_point deadline);

    // Declaration order is destruction order in reverse: connections destroyed with the contexts
    // still reach `core`, so it is declared first.
    std::unique_ptr<ServerCore> core;
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<net::steady_timer> accept_backoff;
    std::vector<std::thread> threads;
    std::size_t next_context = 0;
    std::uint16_t bound_port = 0;

    std::mutex lifecycle_mutex;
    bool started = false;
    bool stopped = false;
};

void Server::Impl::accept_next() {
    auto& context = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(
        context.get_executor(), [this](boost::system::error_code ec, tcp::socket socket) {
            if (!acceptor->is_open() || core->stopping.load()) return;
            if (ec) {
                // Typically EMFILE: back off briefly instead of spinning.
                spdlog::warn("accept failed: {}", ec.message());
                accept_backoff->expires_after(std::chrono::milliseconds(50));
                accept_backoff->async_wait([this](boost::system::error_code wait_ec) {
                    if (!wait_ec) accept_next();
                });
                return;
            }
            boost::system::error_code peer_ec;
            auto endpoint = socket.remote_endpoint(peer_ec);
            IpAddress peer = parse_ip(peer_ec ? std::string() : endpoint.address().to_string())
                                 .value_or(IpAddress{});
            const bool proxy = core->options.trusted_proxies.trusts(peer);
            auto refusal = ConnectionLimits::Refusal::none;
            auto lease = core->limits->open_connection(client_bucket(peer), !proxy, refusal);
            auto connection = std::make_shared<Connection>(*core, std::move(socket), peer,
                                                           std::move(lease), refusal);
            net::dispatch(connection->executor(), [connection] { connection->start(); });
            accept_next();
        });
}

template <typename Fn>
void Server::Impl::for_each_connection(Fn fn) {
    std::vector<std::shared_ptr<Connection>> live;
    {
        std::lock_guard lock(core->connections_mutex);
        for (auto& [raw, weak] : core->connections) {
            if (auto connection = weak.lock()) live.push_back(std::move(connection));
        }
    }
    for (auto& connection : live) {
        auto executor = connection->executor();
        net::post(executor, [connection = std::move(connection), fn] { fn(*connection); });
    }
}

bool Server::Impl::wait_for_no_connections(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(core->connections_mutex);
    return core->connections_changed.wait_until(lock, deadline,
                                                [&] { return core->connections.empty(); });
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(std::chrono::milliseconds(0)); }

Status Server::start() {
    std::lock_guard lock(impl_->lifecycle_mutex);
    if (impl_->started)
        return Error{ErrorCode::HTTP_ALREADY_STARTED, "the server was already started"};
    auto& core = *impl_->core;
    const auto& options = core.options;
    unsigned io_threads =
        options.io_threads ? options.io_threads : std::max(1u, std::thread::hardware_concurrency());
    impl_->acceptor.reset();  // a failed earlier start() may have left these behind
    impl_->accept_backoff.reset();
    impl_->guards.clear();
    impl_->contexts.clear();
    for (unsigned i = 0; i < io_threads; ++i) {
        impl_->contexts.push_back(std::make_unique<net::io_context>(1));
        impl_->guards.push_back(net::make_work_guard(*impl_->contexts.back()));
    }
    boost::system::error_code ec;
    auto address = net::ip::make_address(options.address, ec);
    if (ec)
        return Error{ErrorCode::HTTP_BIND_FAILED,
                     "invalid listen address '" + options.address + "': " + ec.message()};
    tcp::endpoint endpoint(address, options.port);
    impl_->acceptor = std::make_unique<tcp::acceptor>(*impl_->contexts.front());
    impl_->accept_backoff = std::make_unique<net::steady_timer>(*impl_->contexts.front());
    auto& acceptor = *impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (!ec) impl_->bound_port = acceptor.local_endpoint(ec).port();
    if (ec) {
        return Error{ErrorCode::HTTP_BIND_FAILED, "cannot listen on " + options.address + ":" +
                                                      std::to_string(options.port) + ": " +
                                                      ec.message()};
    }
    if (!options.run_handlers_inline) {
        core.pool = std::make_unique<WorkerPool>(options.workers, options.queue_limit,
                                                 &core.metrics.worker_queue_depth(),
                                                 &core.metrics.workers_busy());
    }
    impl_->started = true;
    impl_->accept_next();
    for (auto& context : impl_->contexts) {
        impl_->threads.emplace_back([context = context.get()] {
            while (true) {
                try {
                    context->run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("I/O thread caught: {}", e.what());
                }
            }
        });
    }
    return {};
}

void Server::stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(impl_->lifecycle_mutex);
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
    auto& core = *impl_->core;
    core.stopping.store(true);
    net::post(*impl_->contexts.front(), [impl = impl_.get()] {
        boost::system::error_code ignored;
        impl->acceptor->close(ignored);
        impl->accept_backoff->cancel();
    });
    impl_->for_each_connection([](Connection& connection) { connection.on_server_stopping(); });
    core.hub.close_all();

    auto deadline = std::chrono::steady_clock::now() + grace;
    if (!impl_->wait_for_no_connections(deadline)) {
        impl_->for_each_connection([](Connection& connection) { connection.close(); });
        impl_->wait_for_no_connections(std::chrono::steady_clock::now() + std::chrono::seconds(1));
    }
    // Queued tasks still run; their completions reach closed connections and are dropped.
    if (core.pool) core.pool->stop();
    impl_->wait_for_no_connections(std::chrono::steady_clock::now() +
                                   std::chrono::milliseconds(200));
    impl_->guards.clear();
    for (auto& context : impl_->contexts) context->stop();
    for (auto& thread : impl_->threads) {
        if (thread.joinable()) thread.join();
    }
    // Handlers still queued hold connections, and a connection holds what its stream reports
    // when it ends (Response::stream_end): destroying the contexts destroys them here, so every
    // stream's end is reported before stop() returns (the host stops plugins after it).
    impl_->accept_backoff.reset();
    impl_->acceptor.reset();
    impl_->contexts.clear();
}

std::uint16_t Server::port() const { return impl_->bound_port; }

StreamHub& Server::streams() { return impl_->core->hub; }

observe::MetricsRegistry& Server::metrics() { return *impl_->core->registry; }

}  // namespace admit::http
