#include "host/events/kafka_client.hpp"

#include <charconv>
#include <cstring>

namespace admit::events {

void KafkaHandleDeleter::operator()(rd_kafka_t* handle) const {
    if (rd_kafka_type(handle) == RD_KAFKA_CONSUMER) rd_kafka_consumer_close(handle);
    rd_kafka_destroy(handle);
}

Result<KafkaConf> make_kafka_conf(const KafkaOptions& options,
                                  const std::map<std::string, std::string>& defaults) {
    KafkaConf conf(rd_kafka_conf_new());
    char error[512];
    auto set = [&](const std::string& name, const std::string& value) -> Status {
        if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) !=
            RD_KAFKA_CONF_OK) {
            return Error{ErrorCode::CONFIG_INVALID_VALUE, "kafka property " + name + ": " + error};
        }
        return {};
    };
    if (auto st = set("bootstrap.servers", options.brokers); !st) return st.error();
    for (const auto& [name, value] : defaults) {
        if (auto st = set(name, value); !st) return st.error();
    }
    for (const auto& [name, value] : options.properties) {
        if (auto st = set(name, value); !st) return st.error();
    }
    return conf;
}

Result<KafkaHandle> make_kafka_handle(rd_kafka_type_t type, KafkaConf conf) {
    char error[512];
    rd_kafka_t* handle = rd_kafka_new(type, conf.get(), error, sizeof error);
    if (handle == nullptr)
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, std::string("kafka: ") + error};
    conf.release();  // owned by the handle now
    return KafkaHandle(handle);
}

namespace {

std::optional<std::string> header(rd_kafka_headers_t* headers, const char* name) {
    const void* value = nullptr;
    std::size_t size = 0;
    if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    return std::string(static_cast<const char*>(value), size);
}

std::optional<std::int64_t> parse_int(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Event> event_from_message(const rd_kafka_message_t& message) {
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    const auto id = parse_int(header(headers, kHeaderEventId));
    const auto published = parse_int(header(headers, kHeaderPublishedUs));
    auto topic = header(headers, kHeaderTopic);
    if (!id || !published || !topic) return std::nullopt;
    Event event;
    event.id = *id;
    event.published_at_us = *published;
    event.topic = std::move(*topic);
    if (message.key != nullptr)
        event.key.assign(static_cast<const char*>(message.key), message.key_len);
    if (message.payload != nullptr) {
        event.payload.assign(static_cast<const char*>(message.payload), message.len);
    }
    return event;
}

std::string kafka_subscription(const std::string& topic_prefix, const std::string& pattern) {
    if (pattern.empty() || pattern.back() != '*') return topic_prefix + pattern;
    std::string regex = "^";
    const std::string literal = topic_prefix + pattern.substr(0, pattern.size() - 1);
    for (char c : literal) {
        if (std::strchr(".^$|()[]{}*+?\\", c) != nullptr) regex += '\\';
        regex += c;
    }
    return regex + ".*";
}

}  // namespace admit::events
