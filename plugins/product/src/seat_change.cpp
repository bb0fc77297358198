#include "seat_change.hpp"

#include <charconv>

namespace admit::product {

std::string change_record(const SeatChange& change) {
    boost::json::array seat_ids;
    for (const auto& id : change.changed) seat_ids.push_back(boost::json::string(id));
    boost::json::object remaining;
    for (const auto& [grade_id, left] : change.remaining) remaining[grade_id] = left;
    return boost::json::serialize(boost::json::object{{"status", change.status},
                                                      {"seatIds", std::move(seat_ids)},
                                                      {"remaining", std::move(remaining)}});
}

std::optional<RecordedChange> parse_recorded_change(const std::string& schedule_id,
                                                    std::string_view entry) {
    const auto space = entry.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto version = map_version(entry.substr(0, space));
    if (!version) return std::nullopt;
    RecordedChange out;
    out.version = *version;
    auto parsed = admit::sdk::parse_json(entry.substr(space + 1), "seat change record");
    if (!parsed || !parsed->is_object()) return std::nullopt;
    const auto& record = parsed->as_object();
    const auto* status = record.if_contains("status");
    const auto* seat_ids = record.if_contains("seatIds");
    const auto* remaining = record.if_contains("remaining");
    if (status == nullptr || !status->is_string() || seat_ids == nullptr || !seat_ids->is_array() ||
        remaining == nullptr || !remaining->is_object())
        return std::nullopt;
    out.change.schedule_id = schedule_id;
    out.change.status = std::string(status->as_string());
    for (const auto& id : seat_ids->as_array()) {
        if (!id.is_string()) return std::nullopt;
        out.change.changed.emplace_back(id.as_string());
    }
    for (const auto& [grade_id, left] : remaining->as_object()) {
        if (!left.is_int64()) return std::nullopt;
        out.change.remaining[std::string(grade_id)] = left.as_int64();
    }
    return out;
}

std::optional<int64_t> map_version(std::string_view text) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

void publish_change_frames(const admit::sdk::Host& host, const SeatChange& change,
                           std::string_view version) {
    const std::string topic = "seats:" + change.schedule_id;
    const std::string shown = change.status.empty() ? "AVAILABLE" : change.status;
    const std::size_t frames = (change.changed.empty() ? 0 : 1) + change.remaining.size();
    std::size_t frame = 0;
    auto id_of = [&] { return ++frame == frames ? version : std::string_view(); };
    if (!change.changed.empty()) {
        boost::json::array ids;
        for (const auto& id : change.changed) ids.push_back(boost::json::string(id));
        host.publish_stream(topic, "seat", {{"seatIds", std::move(ids)}, {"status", shown}},
                            id_of());
    }
    for (const auto& [grade_id, left] : change.remaining) {
        host.publish_stream(topic, "stock", {{"gradeId", grade_id}, {"remaining", left}}, id_of());
    }
}

}  // namespace admit::product
