#include "host/events/event_sql.hpp"

#include <algorithm>

namespace admit::events {

std::string micros_to_timestamptz(int parameter) {
    return "('epoch'::timestamptz + $" + std::to_string(parameter) +
           "::bigint * interval '1 microsecond')";
}

std::string timestamptz_to_micros(const std::string& column) {
    return "(extract(epoch from " + column + ") * 1000000)::bigint";
}

std::int64_t to_micros(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string text_array_literal(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string bigint_array_literal(const std::vector<std::int64_t>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(values[i]);
    }
    out += '}';
    return out;
}

std::chrono::milliseconds backoff_after(const EventOptions& options,
                                        std::uint32_t failed_attempts) {
    auto delay = options.backoff_initial;
    for (std::uint32_t i = 1; i < failed_attempts && delay < options.backoff_max; ++i) delay *= 2;
    return std::min(delay, options.backoff_max);
}

Event event_from_row(const pqxx::row& row) {
    Event event;
    event.id = row["event_id"].as<std::int64_t>();
    event.topic = row["topic"].as<std::string>();
    event.key = row["key"].as<std::string>();
    event.payload = row["payload"].as<std::string>();
    event.published_at_us = row["published_us"].as<std::int64_t>();
    event.attempt = row["attempts"].as<std::uint32_t>() + 1;
    return event;
}

}  // namespace admit::events
