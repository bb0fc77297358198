// test_reservation_events: a test-only plugin that publishes whatever event a test asks for,
// through the real outbox, standing in for the reservation plugin:
//   POST /api/v1/test/events {"topic": "reservation.held", "key": "sch_..", "payload": {...}}
//   (admin)
#include <admit/sdk.hpp>

namespace test_stub {

using namespace admit::sdk;

class ReservationEventsStub final : public Plugin {
  public:
    Status init(Host& host) override {
        host_ = &host;
        return host.route("POST", "/api/v1/test/events", "admin", [this](const Request& request) {
            auto body = request.json_object();
            if (!body) return Response::from_error(body.error());
            auto topic = fields::required_string(*body, "topic");
            if (!topic) return Response::from_error(topic.error());
            auto key = fields::required_string(*body, "key");
            if (!key) return Response::from_error(key.error());
            auto payload = fields::required_object(*body, "payload");
            if (!payload) return Response::from_error(payload.error());
            auto status =
                host_->db().transaction([&](Tx& tx) { return tx.publish(*topic, *key, *payload); });
            if (!status) return Response::from_error(status.error());
            return Response::json(202, {{"published", *topic}});
        });
    }

  private:
    Host* host_ = nullptr;
};

}  // namespace test_stub

ADMIT_PLUGIN(test_reservation_events, test_stub::ReservationEventsStub, "1.0.0");
