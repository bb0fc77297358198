// The hello example plugin: every SDK feature a plugin needs first, in one small file.
#include <admit/sdk.hpp>

#include "hello_contracts.hpp"

#include <stdexcept>
#include <string>

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

  private:
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
};

}  // namespace admit::hello

ADMIT_PLUGIN(hello, admit::hello::HelloPlugin, "1.0.0");
