#include "audit_entry.hpp"

#include <sodium.h>

#include <array>

namespace admit::log {

namespace {

std::optional<std::string> string_field(const boost::json::object& payload, std::string_view key) {
    const auto* value = payload.if_contains(key);
    if (value == nullptr || !value->is_string() || value->as_string().empty()) return std::nullopt;
    return std::string(value->as_string());
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// The resource an event is about (see describe_event).
void find_resource(const boost::json::object& payload, std::string_view prefix, AuditEntry& entry) {
    entry.resource_type = std::string(prefix);
    std::string own_key(prefix);
    own_key += "Id";
    if (auto id = string_field(payload, own_key)) {
        entry.resource_id = std::move(id);
        return;
    }
    for (const auto& field : payload) {
        const std::string_view key = field.key();
        if (ends_with(key, "Id") && field.value().is_string()) {
            entry.resource_type = std::string(key.substr(0, key.size() - 2));
            entry.resource_id = std::string(field.value().as_string());
            return;
        }
    }
}

std::optional<std::string> find_policy_revision(const boost::json::object& payload) {
    if (auto revision = string_field(payload, "policyRevision")) return revision;
    for (const auto& field : payload) {
        if (ends_with(field.key(), "PolicyRevision") && field.value().is_string())
            return std::string(field.value().as_string());
    }
    return std::nullopt;
}

/// Appends "<length>:<bytes>;" to `out`.
void append_field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += ';';
}

void append_optional(std::string& out, const std::optional<std::string>& value) {
    if (value)
        append_field(out, *value);
    else
        out += "-;";  // distinct from any length-prefixed value, also the empty one
}

}  // namespace

AuditEntry describe_event(const sdk::Event& event) {
    AuditEntry entry;
    entry.event_id = std::string(event.id());
    entry.action = std::string(event.topic());
    entry.occurred_us = event.published_at_us();
    entry.actor = "system";
    const std::string_view topic = event.topic();
    const std::string_view prefix = topic.substr(0, topic.find('.'));
    entry.resource_type = std::string(prefix);

    boost::system::error_code ec;
    auto parsed = boost::json::parse(event.payload(), ec);
    if (ec || !parsed.is_object()) {
        entry.summary =
            boost::json::serialize(boost::json::object{{"raw", std::string(event.payload())}});
        return entry;
    }
    const auto& payload = parsed.as_object();
    entry.summary = std::string(event.payload());
    if (auto actor = string_field(payload, "actor")) entry.actor = std::move(*actor);
    if (auto at = string_field(payload, "at")) {
        if (auto us = sdk::parse_rfc3339(*at)) entry.occurred_us = *us;
    }
    find_resource(payload, prefix, entry);
    entry.trace_id = string_field(payload, "traceId");
    entry.policy_revision = find_policy_revision(payload);
    return entry;
}

std::string chain_hash(const AuditEntry& entry) {
    std::string input;
    input.reserve(256 + entry.summary.size());
    append_field(input, entry.prev_hash);
    append_field(input, std::to_string(entry.seq));
    append_field(input, entry.event_id);
    append_field(input, std::to_string(entry.occurred_us));
    append_field(input, std::to_string(entry.recorded_us));
    append_field(input, entry.actor);
    append_field(input, entry.action);
    append_field(input, entry.resource_type);
    append_optional(input, entry.resource_id);
    append_optional(input, entry.trace_id);
    append_optional(input, entry.policy_revision);
    append_field(input, entry.summary);

    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

boost::json::object entry_json(const AuditEntry& entry) {
    boost::system::error_code ec;
    auto summary = boost::json::parse(entry.summary, ec);
    auto optional = [](const std::optional<std::string>& value) -> boost::json::value {
        if (!value) return nullptr;
        return boost::json::value(*value);
    };
    return boost::json::object{
        {"seq", entry.seq},
        {"eventId", entry.event_id},
        {"at", sdk::format_rfc3339(entry.occurred_us, true)},
        {"recordedAt", sdk::format_rfc3339(entry.recorded_us, true)},
        {"actor", entry.actor},
        {"action", entry.action},
        {"resource",
         boost::json::object{{"type", entry.resource_type}, {"id", optional(entry.resource_id)}}},
        {"traceId", optional(entry.trace_id)},
        {"policyRevision", optional(entry.policy_revision)},
        {"summary", ec ? boost::json::value(entry.summary) : std::move(summary)},
        {"prevHash", entry.prev_hash},
        {"hash", entry.hash},
    };
}

AuditEntry entry_from_row(const sdk::Row& row) {
    AuditEntry entry;
    entry.seq = row.int64("seq").value_or(0);
    entry.event_id = row.text("event_id");
    entry.occurred_us = row.int64("occurred_us").value_or(0);
    entry.recorded_us = row.int64("recorded_us").value_or(0);
    entry.actor = row.text("actor");
    entry.action = row.text("action");
    entry.resource_type = row.text("resource_type");
    auto optional = [&](std::string_view column) -> std::optional<std::string> {
        if (row.is_null(column)) return std::nullopt;
        return row.text(column);
    };
    entry.resource_id = optional("resource_id");
    entry.trace_id = optional("trace_id");
    entry.policy_revision = optional("policy_revision");
    entry.summary = row.text("summary");
    entry.prev_hash = row.text("prev_hash");
    entry.hash = row.text("hash");
    return entry;
}

}  // namespace admit::log
