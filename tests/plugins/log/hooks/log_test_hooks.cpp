// log_test_hooks: a test-only plugin for the log plugin's end-to-end tests. It publishes events
// as other plugins would (POST /api/v1/test/publish {events: [{topic, key, payload}]}, any
// authenticated caller: tests also run it with the real auth plugin's customers), in
// one transaction, so a test can produce exactly the audit trail it then queries.
#include <admit/sdk.hpp>

namespace log_test_hooks {

using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;
namespace fields = admit::sdk::fields;

class LogTestHooks final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        host_ = &host;
        return host.route(
            "POST", "/api/v1/test/publish", "authenticated", [this](const Request& r) {
                auto body = r.json_object();
                if (!body) return Response::from_error(body.error());
                const auto* events = body->if_contains("events");
                if (events == nullptr || !events->is_array())
                    return Response::invalid_request("field 'events' must be an array");
                auto published = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
                    for (const auto& item : events->as_array()) {
                        if (!item.is_object())
                            return admit::sdk::Error::invalid("event not an object");
                        const auto& event = item.as_object();
                        ADMIT_TRY_ASSIGN(auto topic, fields::required_string(event, "topic"));
                        ADMIT_TRY_ASSIGN(auto key, fields::required_string(event, "key"));
                        ADMIT_TRY_ASSIGN(auto payload, fields::required_object(event, "payload"));
                        ADMIT_TRY(tx.publish(topic, key, boost::json::value(std::move(payload))));
                    }
                    return {};
                });
                if (!published) return Response::from_error(published.error());
                return Response::no_content();
            });
    }

  private:
    admit::sdk::Host* host_ = nullptr;
};

}  // namespace log_test_hooks

ADMIT_PLUGIN(log_test_hooks, log_test_hooks::LogTestHooks, "0.0.1-test");
