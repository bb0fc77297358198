// The hello example plugin: every SDK feature a plugin needs first, in one small file.
#include <admit/sdk.hpp>

#include "hello_contracts.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace admit::hello {

using admit::sdk::Error;
using admit::sdk::Host;
using admit::sdk::Principal;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;
namespace fields = admit::sdk::fields;

/// Greets callers over HTTP and other plugins over the service "hello.greet".
/// Config: {"greeting": "Hello"} (default "Hello").
class HelloPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        greeting_ = host.config_string("greeting", "Hello");
        ADMIT_TRY_ASSIGN(greetings_, host.counter("greetings_total", "Greetings sent"));

        if (auto s = host.register_migrations(); !s) return s;
        if (auto s = host.route("GET", "/api/v1/hello", "public", &HelloPlugin::hello, this,
                                {.rate_category = "general",
                                 .summary = "Says hello",
                                 .operation_id = "sayHello",
                                 .contract = std::string(contracts::kHello)});
            !s)
            return s;
        if (auto s = host.route("GET", "/api/v1/hello/{name}", "public",
                                &HelloPlugin::greet_by_path, this,
                                {.summary = "Greets the name in the path",
                                 .operation_id = "greetByName",
                                 .contract = std::string(contracts::kGreetByPath)});
            !s)
            return s;
        if (auto s = host.route("POST", "/api/v1/hello/greetings", "public",
                                &HelloPlugin::greet_by_body, this,
                                {.summary = "Greets {name, times} from the body",
                                 .operation_id = "createGreetings",
                                 .contract = std::string(contracts::kGreetByBody)});
            !s)
            return s;
        if (auto s = host.route("GET", "/api/v1/hello/later/{name}", "public",
                                &HelloPlugin::greet_later, this,
                                {.summary = "Greets the name in the path, answered by the "
                                            "plugin's own thread",
                                 .operation_id = "greetLater",
                                 .contract = std::string(contracts::kGreetByPath)});
            !s)
            return s;
        // A route that always throws, to show (and test) the exception barrier. It exists only when
        // the venue asks for it ([plugin.hello] throwing_route = true): never in a real deployment.
        const auto config = host.config();
        const auto* throwing = config.if_contains("throwing_route");
        if (throwing != nullptr && throwing->is_bool() && throwing->as_bool()) {
            if (auto s =
                    host.route("GET", "/api/v1/hello/boom", "public",
                               [](const Request&) -> Response {
                                   throw std::runtime_error("boom: this route always throws");
                               },
                               {.operation_id = "boom", .contract = std::string(contracts::kBoom)});
                !s)
                return s;
            // And one that defers its answer and drops it: the SDK answers 500 for it.
            if (auto s = host.route(
                    "GET", "/api/v1/hello/dropped", "public",
                    [](const Request& request) -> Response {
                        auto later = request.defer();
                        if (!later) throw std::runtime_error("cannot defer");
                        return Response::later();  // `later` dies unsent
                    },
                    {.operation_id = "dropped", .contract = std::string(contracts::kBoom)});
                !s)
                return s;
        }
        if (auto s = host.provide("hello.greet",
                                  [this](const boost::json::value& input, const Principal&) {
                                      return greet_service(input);
                                  });
            !s)
            return s;
        host.info("hello plugin ready, greeting '", greeting_, "'");
        return {};
    }

    /// The greeter thread answers deferred greetings (greet_later) in arrival order.
    Status start() override {
        greeter_ = std::thread([this] { run_greeter(); });
        return {};
    }

    /// Answers every greeting still queued, then joins the greeter: no deferred answer outlives
    /// the plugin's stop.
    void stop() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (greeter_.joinable()) greeter_.join();
    }

  private:
    /// Answers later, from the greeter thread (ABI 1.6): the worker that ran this handler is free
    /// at once. A host that cannot defer gets the answer now.
    Response greet_later(const Request& request) {
        auto later = request.defer();
        if (!later) return greet_by_path(request);
        {
            std::lock_guard lock(mutex_);
            if (!stopping_) {
                queued_.emplace_back(std::move(*later), std::string(request.param("name")));
                wake_.notify_one();
                return Response::later();
            }
        }
        later->send(Response::error(503, "OVERLOADED", "the plugin is stopping"));
        return Response::later();
    }

    void run_greeter() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
            if (queued_.empty()) return;  // stopping, and everything answered
            auto [reply, name] = std::move(queued_.front());
            queued_.pop_front();
            lock.unlock();
            greetings_.add();
            reply.send(Response::json(200, {{"message", greeting(name)}}));
            lock.lock();
        }
    }

    Response hello(const Request&) {
        greetings_.add();
        return Response::json(200, {{"message", "hello"}, {"plugin", "hello"}});
    }

    Response greet_by_path(const Request& request) {
        greetings_.add();
        return Response::json(200, {{"message", greeting(request.param("name"))}});
    }

    /// POST {"name": "Ada", "times": 2} -> 201 {"messages": [...]}; 400 INVALID_REQUEST naming the
    /// field.
    Response greet_by_body(const Request& request) {
        auto body = request.json_object();
        if (!body) return Response::from_error(body.error());
        auto name = fields::required_string(*body, "name");
        if (!name) return Response::from_error(name.error());
        auto times = fields::optional_int(*body, "times", 1, 10);
        if (!times) return Response::from_error(times.error());
        boost::json::array messages;
        for (int64_t i = 0; i < times->value_or(1); ++i) messages.emplace_back(greeting(*name));
        greetings_.add(static_cast<double>(messages.size()));
        return Response::json(
            201, {{"messages", std::move(messages)}, {"by", request.principal().subject()}});
    }

    Result<boost::json::value> greet_service(const boost::json::value& input) {
        if (!input.is_object()) return Error::invalid("input must be an object {\"name\": ...}");
        auto name = fields::required_string(input.as_object(), "name");
        if (!name) return std::move(name).error();
        greetings_.add();
        return boost::json::value{{"message", greeting(*name)}};
    }

    std::string greeting(std::string_view name) const {
        return greeting_ + ", " + std::string(name) + "!";
    }

    std::string greeting_;
    admit::sdk::Metric greetings_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<admit::sdk::LaterResponse, std::string>> queued_;
    bool stopping_ = false;
    std::thread greeter_;
};

}  // namespace admit::hello

ADMIT_PLUGIN(hello, admit::hello::HelloPlugin, "1.0.0");
