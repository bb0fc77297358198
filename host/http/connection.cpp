// Connection, part 1: the request cycle (read, dispatch to the worker pool, write, keep-alive,
// drain). Parts 2 and 3: connection_stream.cpp (SSE) and connection_timers.cpp (deadlines).
#include "host/http/connection.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "host/http/request_target.hpp"
#include "host/observe/logging.hpp"
#include "host/observe/trace_id.hpp"

namespace admit::http::detail {

namespace bhttp = beast::http;

namespace {

const beast::error_category& http_error_category() {
    static const auto& category = bhttp::make_error_code(bhttp::error::bad_target).category();
    return category;
}

std::string_view method_label(const bhttp::request_parser<bhttp::string_body>& parser) {
    if (!parser.is_header_done() || parser.get().method() == bhttp::verb::unknown) return "OTHER";
    auto text = parser.get().method_string();
    return {text.data(), text.size()};
}

// Header text a handler supplies must not smuggle CR/LF (response splitting) or NUL.
bool is_safe_header_text(std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Replaces a response the server cannot send as given (bad status or header text) with a 500.
void sanitize(Response& response, const std::string& trace_id) {
    bool valid = response.status >= 100 && response.status <= 599 &&
                 is_safe_header_text(response.content_type);
    for (const auto& [name, value] : response.headers) {
        valid = valid && !name.empty() && is_safe_header_text(name) && is_safe_header_text(value) &&
                name.find(':') == std::string::npos;
    }
    if (valid) return;
    spdlog::error(
        "handler returned an unsendable response (status {} or header text); answering 500, "
        "trace_id={}",
        response.status, trace_id);
    std::string route = std::move(response.route_label);
    response = Response::error(500, "INTERNAL", "internal error", trace_id);
    response.route_label = std::move(route);
}

void lower_into(std::string& out, std::string_view text) {
    out.resize(text.size());
    std::transform(text.begin(), text.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
}

}  // namespace

Connection::Connection(ServerCore& core, tcp::socket socket, IpAddress peer,
                       ConnectionLimits::Lease lease, ConnectionLimits::Refusal refusal)
    : core_(core),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      peer_(peer),
      lease_(std::move(lease)),
      refusal_(refusal) {
    core_.metrics.open_connections().inc();
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec)
        request_.remote_addr =
            endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

Connection::~Connection() {
    if (sink_) {
        core_.hub.unsubscribe(topic_, sink_.get());
        core_.metrics.sse_streams().dec();
    }
    core_.metrics.open_connections().dec();
    core_.remove_connection(this);
}

void Connection::start() {
    core_.add_connection(shared_from_this());
    if (refusal_ != ConnectionLimits::Refusal::none) {
        refuse_connection();
        return;
    }
    wait_for_request();
}

// Answers at once, without reading a request: a client over its cap holds no slot while it talks.
void Connection::refuse_connection() {
    core_.metrics.connections_refused().inc();
    const bool server_full = refusal_ == ConnectionLimits::Refusal::server_full;
    request_.trace_id = observe::generate_trace_id();
    request_start_ = Clock::now();
    keep_alive_ = false;
    method_label_ = "OTHER";
    result_ = server_full ? Response::error(503, "OVERLOADED",
                                            "the server has too many open connections; retry later",
                                            request_.trace_id)
                          : Response::error(429, "RATE_LIMITED",
                                            "too many open connections from this client",
                                            request_.trace_id);
    result_.set_header("Retry-After", std::to_string(core_.options.retry_after_seconds));
    send_response();
}

// ---- request cycle ----------------------------------------------------------------------------

void Connection::wait_for_request() {
    if (core_.stopping.load(std::memory_order_relaxed) || close_after_response_) {
        close();
        return;
    }
    if (buffer_.size() > 0) {  // a pipelined request is already here
        read_request();
        return;
    }
    state_ = State::waiting;
    set_deadline(core_.options.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        if (self->state_ != State::waiting) return;
        if (ec || self->timed_out_) {
            self->close();
            return;
        }
        self->read_request();
    });
}

void Connection::read_request() {
    state_ = State::reading;
    set_deadline(core_.options.request_timeout);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(core_.options.header_limit_bytes, UINT32_MAX)));
    parser_->body_limit(core_.options.body_limit_bytes);
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
    if (state_ != State::reading) return;
    if (handle_read_error(ec)) return;
    if (parser_->is_done()) {
        on_read(ec);
        return;
    }
    auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        net::async_write(socket_, net::buffer(kContinue),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (self->state_ != State::reading) return;
                             if (ec) {
                                 self->close();
                                 return;
                             }
                             self->read_body();
                         });
        return;
    }
    read_body();
}

void Connection::read_body() {
    bhttp::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

// Answers or closes for a failed read; false when there was no error.
bool Connection::handle_read_error(beast::error_code ec) {
    if (timed_out_) {
        timed_out_ = false;
        method_label_ = method_label(*parser_);
        send_error(408, "REQUEST_TIMEOUT", "the request was not received in time", false);
        return true;
    }
    if (!ec) return false;
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != http_error_category()) {
        close();
        return true;
    }
    method_label_ = method_label(*parser_);
    if (ec == bhttp::error::header_limit) {
        // Beast consumes the request line once it is complete: no target yet means the request
        // line itself overflowed the header block.
        auto target = parser_->get().target();
        if (target.empty() || target.size() > core_.options.target_limit_bytes) {
            send_error(414, "URI_TOO_LONG", "the request target exceeds the limit", false);
            return true;
        }
        send_error(431, "HEADERS_TOO_LARGE", "request headers exceed the limit", false);
    } else if (ec == bhttp::error::body_limit) {
        send_error(413, "PAYLOAD_TOO_LARGE", "request body exceeds the limit", false);
    } else {
        send_error(400, "INVALID_REQUEST", "malformed HTTP request: " + ec.message(), false);
    }
    return true;
}

void Connection::on_read(beast::error_code ec) {
    if (state_ != State::reading) return;
    if (handle_read_error(ec)) return;
    request_start_ = Clock::now();
    if (auto refusal = fill_request()) {
        send_error(refusal->status, refusal->status == 414 ? "URI_TOO_LONG" : "INVALID_REQUEST",
                   refusal->message, false);
        return;
    }
    dispatch();
}

std::optional<Connection::Refusal> Connection::fill_request() {
    auto& message = parser_->get();
    auto method = message.method_string();
    // HEAD is served by the GET route (RFC 9110 9.3.2); send_response leaves the body out.
    head_request_ = message.method() == bhttp::verb::head;
    if (head_request_)
        request_.method = "GET";
    else
        request_.method.assign(method.data(), method.size());
    method_label_ = method_label(*parser_);
    keep_alive_ = message.keep_alive();
    std::string_view raw_target(message.target().data(), message.target().size());
    if (raw_target.size() > core_.options.target_limit_bytes)
        return Refusal{414, "the request target exceeds the limit"};
    auto origin = to_origin_target(raw_target);
    if (!origin) return Refusal{400, "malformed request target"};
    std::string_view target = origin->path_and_query;
    std::size_t host_fields = 0;
    std::string_view host_value;
    for (const auto& field : message) {
        if (field.name() != bhttp::field::host) continue;
        ++host_fields;
        host_value = std::string_view(field.value().data(), field.value().size());
    }
    if (message.version() >= 11 && host_fields == 0)
        return Refusal{400, "an HTTP/1.1 request needs a Host header"};
    if (host_fields > 1) return Refusal{400, "more than one Host header"};
    if (host_fields == 1 && !is_valid_host_value(host_value))
        return Refusal{400, "the Host header is not a valid host[:port]"};
    std::size_t question = target.find('?');
    request_.query.assign(question == std::string_view::npos ? std::string_view()
                                                             : target.substr(question + 1));
    // Reuse the header strings' capacity from the previous request on this connection.
    std::size_t count = 0;
    std::string_view traceparent, request_id;
    std::optional<std::string_view> forwarded, forwarded_for;
    for (const auto& field : message) {
        if (count == request_.headers.size()) request_.headers.emplace_back();
        auto& [name, value] = request_.headers[count++];
        auto raw_name = field.name_string();
        lower_into(name, {raw_name.data(), raw_name.size()});
        value.assign(field.value().data(), field.value().size());
    }
    request_.headers.resize(count);
    for (const auto& [name, value] : request_.headers) {
        if (name == "traceparent")
            traceparent = value;
        else if (name == "x-request-id")
            request_id = value;
        else if (name == "forwarded")
            forwarded = value;
        else if (name == "x-forwarded-for")
            forwarded_for = value;
    }
    const IpAddress client =
        resolve_client(peer_, forwarded, forwarded_for, core_.options.trusted_proxies);
    request_.client_ip = to_string(client);
    request_.client_bucket = client_bucket(client);
    request_.trace_id = observe::resolve_trace_id(traceparent, request_id);
    request_.body = std::move(message.body());
    request_.params.clear();
    if (!percent_decode_path(target.substr(0, question), request_.path) || request_.path.empty() ||
        request_.path.front() != '/')
        return Refusal{400, "malformed request target"};
    return std::nullopt;
}

void Connection::dispatch() {
    state_ = State::handling;
    clear_deadline();
    if (core_.options.run_handlers_inline ||
        (core_.options.inline_request && core_.options.inline_request(request_))) {
        run_handler();
        after_handler();
        return;
    }
    pending_self_ = shared_from_this();
    WorkerPool::Task task = [this] {
        run_handler();
        auto self = std::move(pending_self_);
        auto executor = socket_.get_executor();
        net::post(executor, [self = std::move(self)] { self->after_handler(); });
    };
    if (core_.pool->try_submit_deferred(task)) {
        schedule_pool_wake();
        return;
    }
    pending_self_.reset();
    core_.metrics.overloaded().inc();
    result_ =
        Response::error(503, "OVERLOADED", "the server is busy; retry later", request_.trace_id);
    result_.set_header("Retry-After", std::to_string(core_.options.retry_after_seconds));
    send_response();
}

// Wakes workers once per round of this I/O thread's event loop rather than once per request: the
// posted call runs after the completions already queued (the rest of the epoll batch).
void Connection::schedule_pool_wake() {
    thread_local bool wake_scheduled = false;
    if (wake_scheduled) return;
    wake_scheduled = true;
    net::post(socket_.get_executor(), [pool = core_.pool.get()] {
        wake_scheduled = false;
        pool->wake_for_queued();
    });
}

void Connection::run_handler() {
    observe::LogField trace("trace_id", request_.trace_id);
    try {
        result_ = core_.handler(request_);
        return;
    } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", request_.method, request_.path, e.what());
    } catch (...) {
        spdlog::error("handler for {} {} threw a non-standard exception", request_.method,
                      request_.path);
    }
    result_ = Response::error(500, "INTERNAL", "internal error", request_.trace_id);
}

void Connection::after_handler() {
    if (result_.pending && state_ != State::closed) {
        await_reply();
        return;
    }
    result_.pending.reset();
    send_response();
}

void Connection::await_reply() {
    reply_ = std::exchange(result_.pending, nullptr);
    state_ = State::awaiting;
    set_deadline(core_.options.request_timeout);
    // The delivery may run on any thread (the one that finished the reply): it only posts here.
    // It hands its hold on us to the post, so the connection is never released on that thread.
    reply_->on_ready(
        [self = shared_from_this(), executor = socket_.get_executor()](Response response) mutable {
            net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
                self->on_reply(std::move(response));
            });
        });
}

void Connection::on_reply(Response response) {
    if (state_ != State::awaiting) return;  // closed meanwhile: the answer has nowhere to go
    reply_.reset();
    clear_deadline();
    result_ = std::move(response);
    result_.pending.reset();  // a reply cannot defer again
    send_response();
}

void Connection::send_error(int status, std::string_view code, std::string_view message,
                            bool keep_alive) {
    if (request_.trace_id.empty() || state_ == State::reading)
        request_.trace_id = observe::generate_trace_id();
    request_start_ = Clock::now();
    keep_alive_ = keep_alive;
    result_ = Response::error(status, code, message, request_.trace_id);
    send_response();
}

void Connection::send_response() {
    if (state_ == State::closed) {
        result_.stream_end.reset();  // a stream accepted for a connection that is gone: it ended
        return;
    }
    sanitize(result_, request_.trace_id);
    if (result_.stream_topic && head_request_) {  // HEAD of a stream: its head, no stream
        result_.stream_topic.reset();
        result_.content_type = "text/event-stream";
        result_.set_header("Cache-Control", "no-cache");
        result_.set_body({});
    }
    if (result_.stream_topic) {
        stream_lease_ = core_.limits->open_stream(request_.client_bucket);
        if (stream_lease_) {
            start_stream();
            return;
        }
        core_.metrics.streams_refused().inc();
        std::string route = std::move(result_.route_label);
        result_ = Response::error(
            429, "RATE_LIMITED", "too many open event streams from this client", request_.trace_id);
        result_.route_label = std::move(route);
        result_.set_header("Retry-After", std::to_string(core_.options.retry_after_seconds));
    }
    result_.stream_end.reset();  // not a stream (HEAD, refused): its end is now
    keep_alive_ =
        keep_alive_ && !close_after_response_ && !core_.stopping.load(std::memory_order_relaxed);
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(result_.status));
    response_.set(bhttp::field::content_type, result_.content_type);
    response_.set("X-Trace-Id", request_.trace_id);
    response_.set("X-Content-Type-Options", "nosniff");  // never sniff a JSON body as HTML
    for (const auto& [name, value] : result_.headers) response_.insert(name, value);
    response_.keep_alive(keep_alive_);
    auto& body = response_.body();
    body.owned = std::move(result_.body);
    body.borrowed = std::exchange(result_.borrowed_body, std::nullopt);
    body.owner = std::move(result_.borrowed_owner);
    response_.prepare_payload();
    if (head_request_) {
        // The headers a GET would get, Content-Length included, and no body (RFC 9110 9.3.2).
        auto length = body.bytes().size();
        body.owned.clear();
        body.borrowed.reset();
        body.owner.reset();
        response_.content_length(length);
    }
    core_.metrics.record_request(
        result_.route_label, method_label_, result_.status,
        std::chrono::duration<double>(Clock::now() - request_start_).count());
    state_ = State::writing;
    set_deadline(core_.options.request_timeout);
    bhttp::async_write(
        socket_, response_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void Connection::on_write(beast::error_code ec) {
    if (state_ != State::writing) return;
    response_.body().owner.reset();  // a borrowed body's owner is released once it is written
    if (ec || timed_out_) {
        close();
        return;
    }
    if (!keep_alive_) {
        drain_and_close();
        return;
    }
    wait_for_request();
}

// Half-closes and reads what the peer still sends (so closing does not reset the connection
// before it has read our response), for at most a second.
void Connection::drain_and_close() {
    if (state_ != State::draining) {
        state_ = State::draining;
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        // While the server stops, do not hold it up waiting for the peer.
        bool stopping = core_.stopping.load(std::memory_order_relaxed);
        set_deadline(stopping ? Clock::duration(std::chrono::milliseconds(100))
                              : Clock::duration(std::chrono::seconds(1)));
    }
    socket_.async_read_some(net::buffer(peer_scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                if (self->state_ != State::draining) return;
                                if (ec || self->timed_out_) {
                                    self->close();
                                    return;
                                }
                                self->drain_and_close();
                            });
}

void Connection::close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    if (reply_) std::exchange(reply_, nullptr)->cancel();  // drops the delivery holding us
    ++timer_generation_;
    timer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    if (sink_) {
        core_.hub.unsubscribe(topic_, sink_.get());
        core_.metrics.sse_streams().dec();
        sink_.reset();
    }
    stream_lease_ = {};
    lease_ = {};
    result_.stream_end.reset();
    stream_end_.reset();  // reports the stream's end (once: the token is released here)
}

void Connection::on_server_stopping() {
    switch (state_) {
        case State::waiting:
        case State::streaming:
            close();
            break;
        case State::reading:
        case State::handling:
        case State::awaiting:
        case State::writing:
            close_after_response_ = true;
            break;
        case State::draining:
        case State::closed:
            break;
    }
}

}  // namespace admit::http::detail
