#include "schedule_directory.hpp"

#include "sql_text.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

namespace {
std::string facts_columns() {
    return "schedule_id, product_id, seller_id, title, cancelled, " +
           sql_micros("starts_at", "starts_us") + ", " + sql_micros("valid_from", "valid_from_us") +
           ", " + sql_micros("valid_until", "valid_until_us");
}

sdk::Result<std::string> text_of(const boost::json::object& context, std::string_view field) {
    const auto* value = context.if_contains(field);
    if (value == nullptr || !value->is_string())
        return sdk::Error::invalid("sale context has no '" + std::string(field) + "'");
    return std::string(value->as_string());
}
}  // namespace

sdk::Result<ScheduleFacts> facts_from_sale_context(const boost::json::value& context,
                                                   const ScheduleTiming& timing) {
    if (!context.is_object()) return sdk::Error::invalid("sale context is not an object");
    const auto& object = context.as_object();
    ScheduleFacts facts;
    ADMIT_TRY_ASSIGN(facts.schedule_id, text_of(object, "scheduleId"));
    ADMIT_TRY_ASSIGN(facts.product_id, text_of(object, "productId"));
    ADMIT_TRY_ASSIGN(facts.seller_id, text_of(object, "sellerId"));
    facts.title = text_of(object, "title").value_or("");
    std::string starts;
    ADMIT_TRY_ASSIGN(starts, text_of(object, "startsAt"));
    const auto starts_us = sdk::parse_rfc3339(starts);
    if (!starts_us) return sdk::Error::invalid("sale context startsAt is not RFC 3339");
    facts.starts_us = *starts_us;
    facts.valid_from_us = std::max<int64_t>(0, *starts_us - timing.doors_open_seconds * 1'000'000);
    facts.valid_until_us = *starts_us + timing.duration_seconds * 1'000'000;
    if (auto ends = text_of(object, "endsAt"); ends) {
        if (auto ends_us = sdk::parse_rfc3339(*ends); ends_us && *ends_us >= *starts_us)
            facts.valid_until_us = *ends_us;
    }
    facts.cancelled = text_of(object, "productStatus").value_or("") == "CANCELLED";
    return facts;
}

sdk::Result<std::optional<ScheduleFacts>> ScheduleDirectory::find(const std::string& schedule_id) {
    auto rows = host_.db().exec(
        "SELECT " + facts_columns() + " FROM ticket.schedules WHERE schedule_id = $1", schedule_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<ScheduleFacts>{};
    const auto row = rows->front();
    ScheduleFacts facts{row.text("schedule_id"),
                        row.text("product_id"),
                        row.text("seller_id"),
                        row.text("title"),
                        row.int64("starts_us").value_or(0),
                        row.int64("valid_from_us").value_or(0),
                        row.int64("valid_until_us").value_or(0),
                        row.boolean("cancelled").value_or(false)};
    return std::optional<ScheduleFacts>(std::move(facts));
}

sdk::Result<ScheduleFacts> ScheduleDirectory::resolve(const std::string& schedule_id) {
    auto known = find(schedule_id);
    if (!known) return std::move(known).error();
    if (*known) return std::move(**known);
    auto context = host_.call("product.sale_context", {{"scheduleId", schedule_id}});
    if (!context) {
        if (context.error().status == ADMIT_E_NOT_FOUND)
            return sdk::Error::not_found("no schedule " + schedule_id);
        return std::move(context).error();
    }
    auto facts = facts_from_sale_context(*context, timing_);
    if (!facts) return std::move(facts).error();
    auto stored = host_.db().transaction([&](sdk::Tx& tx) { return store(tx, *facts); });
    if (!stored) return stored.error();
    return facts;
}

sdk::Status ScheduleDirectory::store(sdk::Tx& tx, const ScheduleFacts& facts) {
    auto rows = tx.exec(
        "INSERT INTO ticket.schedules (schedule_id, product_id, seller_id, title, starts_at, "
        "valid_from, valid_until, cancelled) VALUES ($1, $2, $3, $4, " +
            sql_time(5) + ", " + sql_time(6) + ", " + sql_time(7) +
            ", $8) ON CONFLICT (schedule_id) DO NOTHING",
        facts.schedule_id, facts.product_id, facts.seller_id, facts.title, facts.starts_us,
        facts.valid_from_us, facts.valid_until_us, facts.cancelled);
    if (!rows) return std::move(rows).error();
    return {};
}

sdk::Status ScheduleDirectory::mark_cancelled(sdk::Tx& tx, const std::string& schedule_ids_json) {
    auto rows = tx.exec(
        "UPDATE ticket.schedules SET cancelled = true WHERE schedule_id IN "
        "(SELECT jsonb_array_elements_text($1::jsonb))",
        schedule_ids_json);
    if (!rows) return std::move(rows).error();
    return {};
}

}  // namespace admit::ticket
