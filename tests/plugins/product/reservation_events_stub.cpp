// test_reservation_events: a test-only plugin that publishes whatever event a test asks for,
// through the real outbox, standing in for the reservation plugin:
//   POST /api/v1/test/events {"topic": "reservation.held", "key": "sch_..", "payload": {...}}
//   or {"events": [{"topic", "key", "payload"}, ...]}: all of them in one transaction, so they
//   are delivered together (admin)
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
            boost::json::array events;
            if (const auto* many = body->if_contains("events"); many != nullptr) {
                if (!many->is_array()) return Response::error(400, "INVALID", "events: an array");
                events = many->as_array();
            } else {
                events.push_back(*body);
            }
            auto status = host_->db().transaction([&](Tx& tx) -> Status {
                for (const auto& event : events) {
                    if (!event.is_object()) return Error::invalid("an event is an object");
                    const auto& e = event.as_object();
                    auto topic = fields::required_string(e, "topic");
                    if (!topic) return topic.error();
                    auto key = fields::required_string(e, "key");
                    if (!key) return key.error();
                    auto payload = fields::required_object(e, "payload");
                    if (!payload) return payload.error();
                    if (auto s = tx.publish(*topic, *key, *payload); !s) return s;
                }
                return {};
            });
            if (!status) return Response::from_error(status.error());
            return Response::json(202, {{"published", events.size()}});
        });
    }

  private:
    Host* host_ = nullptr;
};

}  // namespace test_stub

ADMIT_PLUGIN(test_reservation_events, test_stub::ReservationEventsStub, "1.0.0");
