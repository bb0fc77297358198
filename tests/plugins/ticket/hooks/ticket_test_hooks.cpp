// ticket_test_hooks: a test-only plugin for the ticket plugin's end-to-end tests. It publishes
// an event as another plugin would (POST /api/v1/test/publish {topic, key, payload}, admin), so
// a test can redeliver a reservation.confirmed (the same business event under a new event id)
// or announce product.cancelled without the catalog plugins; and it calls a service as another
// plugin would (POST /api/v1/test/call {method, input}, admin), so a test can run one step of a
// cross-plugin flow alone (the refund guard of a cancellation whose process then died).
#include <admit/sdk.hpp>

namespace ticket_test_hooks {

using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;

class TicketTestHooks final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        host_ = &host;
        if (auto s = host.route("POST", "/api/v1/test/call", "admin",
                                [this](const Request& r) {
                                    auto body = r.json_object();
                                    if (!body) return Response::from_error(body.error());
                                    auto method =
                                        admit::sdk::fields::required_string(*body, "method");
                                    if (!method) return Response::from_error(method.error());
                                    const auto* input = body->if_contains("input");
                                    auto output = host_->call(
                                        *method, input ? *input : boost::json::value(nullptr));
                                    if (!output) return Response::from_error(output.error());
                                    return Response::json(200, *output);
                                });
            !s)
            return s;
        return host.route("POST", "/api/v1/test/publish", "admin", [this](const Request& r) {
            auto body = r.json_object();
            if (!body) return Response::from_error(body.error());
            auto topic = admit::sdk::fields::required_string(*body, "topic");
            if (!topic) return Response::from_error(topic.error());
            auto key = admit::sdk::fields::required_string(*body, "key");
            if (!key) return Response::from_error(key.error());
            auto payload = admit::sdk::fields::required_object(*body, "payload");
            if (!payload) return Response::from_error(payload.error());
            auto published = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
                return tx.publish(*topic, *key, boost::json::value(*payload));
            });
            if (!published) return Response::from_error(published.error());
            return Response::no_content();
        });
    }

  private:
    admit::sdk::Host* host_ = nullptr;
};

}  // namespace ticket_test_hooks

ADMIT_PLUGIN(ticket_test_hooks, ticket_test_hooks::TicketTestHooks, "0.0.1-test");
