#include "host/events/kafka_relay_target.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "host/events/event_sql.hpp"

namespace admit::events {

namespace {

constexpr int kFlushSliceMs = 1000;

// Delivery outcome of one produced row; the message opaque points at it.
struct PendingRow {
    std::int64_t id = 0;
    bool done = false;
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
    auto* row = static_cast<PendingRow*>(message->_private);
    row->done = true;
    row->error = message->err;
}

std::string select_batch() {
    return "SELECT id, topic, key, payload, " + timestamptz_to_micros("published_at") +
           " AS published_us FROM admit.event_outbox WHERE relayed_at IS NULL "
           "ORDER BY id LIMIT $1 FOR UPDATE";
}

}  // namespace

Result<std::unique_ptr<KafkaRelayTarget>> KafkaRelayTarget::create(const EventOptions& options) {
    auto conf = make_kafka_conf(options.kafka, {{"enable.idempotence", "true"},
                                                {"acks", "all"},
                                                {"linger.ms", "2"},
                                                {"message.timeout.ms", "30000"},
                                                {"max.in.flight.requests.per.connection", "5"}});
    if (!conf) return conf.error();
    rd_kafka_conf_set_dr_msg_cb(conf.value().get(), on_delivery);
    auto producer = make_kafka_handle(RD_KAFKA_PRODUCER, std::move(conf.value()));
    if (!producer) return producer.error();
    return std::unique_ptr<KafkaRelayTarget>(
        new KafkaRelayTarget(options, std::move(producer.value())));
}

KafkaRelayTarget::KafkaRelayTarget(const EventOptions& options, KafkaHandle producer)
    : options_(options), producer_(std::move(producer)) {}

Result<std::size_t> KafkaRelayTarget::relay(pqxx::work& tx, std::size_t batch) {
    const auto rows = tx.exec_params(select_batch(), batch);
    if (rows.empty()) return std::size_t{0};
    std::vector<PendingRow> pending(rows.size());
    std::size_t produced = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        pending[i].id = row["id"].as<std::int64_t>();
        const std::string topic = row["topic"].as<std::string>();
        const std::string kafka_topic = options_.kafka.topic_prefix + topic;
        const std::string key = row["key"].as<std::string>();
        const std::string payload = row["payload"].as<std::string>();
        const std::string id = std::to_string(pending[i].id);
        const std::string published = row["published_us"].as<std::string>();
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
        while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            err = rd_kafka_producev(
                producer_.get(), RD_KAFKA_V_TOPIC(kafka_topic.c_str()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                RD_KAFKA_V_HEADER(kHeaderEventId, id.data(), static_cast<ssize_t>(id.size())),
                RD_KAFKA_V_HEADER(kHeaderTopic, topic.data(), static_cast<ssize_t>(topic.size())),
                RD_KAFKA_V_HEADER(kHeaderPublishedUs, published.data(),
                                  static_cast<ssize_t>(published.size())),
                RD_KAFKA_V_OPAQUE(&pending[i]), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(producer_.get(), 10);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            spdlog::warn("events: kafka produce of outbox row {} failed: {}", pending[i].id,
                         rd_kafka_err2str(err));
            break;  // keep per-key order: later rows wait for the next pass
        }
        ++produced;
    }
    // Every report arrives within message.timeout.ms; the opaques point into `pending`.
    while (rd_kafka_flush(producer_.get(), kFlushSliceMs) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    }
    std::vector<std::string> delivered;
    for (std::size_t i = 0; i < produced; ++i) {
        if (pending[i].done && pending[i].error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            delivered.push_back(std::to_string(pending[i].id));
        } else if (pending[i].done) {
            spdlog::warn("events: kafka delivery of outbox row {} failed: {}", pending[i].id,
                         rd_kafka_err2str(pending[i].error));
        }
    }
    if (delivered.empty()) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "kafka: no outbox row of the batch was delivered"};
    }
    tx.exec_params("UPDATE admit.event_outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])",
                   text_array_literal(delivered));
    return delivered.size();
}

}  // namespace admit::events
