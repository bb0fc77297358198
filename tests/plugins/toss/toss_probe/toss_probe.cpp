// toss_probe: a test-only plugin that lets an end-to-end test call the toss adapter's services
// through a real admitd, standing in for the payment plugin. POST /api/v1/test/toss/{method}
// (admin) calls toss.<method> with the request body as input and answers 200 {"result": ...}, or
// 503 {"status": "<ABI status name>", "message"} when the service call failed. Never loaded in a
// real venue.
#include <admit/sdk.hpp>

namespace toss_probe {

using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;

class TossProbe final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        host_ = &host;
        return host.route("POST", "/api/v1/test/toss/{method}", "admin",
                          [this](const Request& request) { return call(request); });
    }

  private:
    Response call(const Request& request) {
        const std::string method(request.param("method"));
        if (method != "confirm" && method != "cancel" && method != "query" &&
            method != "verify_webhook" && method != "checkout") {
            return Response::error(404, "NOT_FOUND", "no toss method " + method);
        }
        boost::system::error_code ec;
        auto input = boost::json::parse(request.body(), ec);
        if (ec) return Response::invalid_request("body is not JSON");
        auto answer = host_->call("toss." + method, input);
        if (!answer) {
            return Response::json(
                503, boost::json::object{
                         {"status", std::string(admit::sdk::status_name(answer.error().status))},
                         {"message", answer.error().message}});
        }
        return Response::json(200, boost::json::object{{"result", answer.value()}});
    }

    admit::sdk::Host* host_ = nullptr;
};

}  // namespace toss_probe

ADMIT_PLUGIN(toss_probe, toss_probe::TossProbe, "0.0.1", ADMIT_DEPENDS("toss"));
