#include "audit_query.hpp"

#include "audit_entry.hpp"

#include <charconv>

namespace admit::log {

namespace {

constexpr int64_t kExportPage = 1000;

sdk::Result<std::optional<int64_t>> time_param(const sdk::Request& request, std::string_view name) {
    auto text = request.query(name);
    if (!text) return std::optional<int64_t>();
    auto us = sdk::parse_rfc3339(*text);
    if (!us) {
        return sdk::Error::invalid("query parameter '" + std::string(name) +
                                   "' must be an RFC 3339 time");
    }
    return std::optional<int64_t>(*us);
}

std::optional<std::string> text_param(const sdk::Request& request, std::string_view name) {
    auto text = request.query(name);
    if (!text || text->empty()) return std::nullopt;
    return text;
}

/// WHERE clause and parameters of a filter; `ascending_after` adds "seq > $n" for export paging.
struct Where {
    std::string sql;
    std::vector<sdk::SqlParam> params;

    void add(std::string_view condition_before_param, sdk::SqlParam value) {
        params.push_back(std::move(value));
        sql += sql.empty() ? " WHERE " : " AND ";
        sql += condition_before_param;
        sql += '$';
        sql += std::to_string(params.size());
    }
};

Where where_of(const AuditFilter& filter) {
    Where where;
    if (filter.actor) where.add("actor = ", *filter.actor);
    if (filter.resource_type) where.add("resource_type = ", *filter.resource_type);
    if (filter.resource_id) where.add("resource_id = ", *filter.resource_id);
    if (filter.action) where.add("action = ", *filter.action);
    if (filter.action_prefix) {
        // starts_with() keeps '%' and '_' in the prefix literal (no LIKE escaping needed).
        where.add("starts_with(action, ", *filter.action_prefix);
        where.sql += ')';
    }
    if (filter.from_us) where.add("occurred_us >= ", std::to_string(*filter.from_us));
    if (filter.to_us) where.add("occurred_us < ", std::to_string(*filter.to_us));
    if (filter.before_seq) where.add("seq < ", std::to_string(*filter.before_seq));
    return where;
}

}  // namespace

sdk::Result<AuditFilter> AuditFilter::from_request(const sdk::Request& request) {
    AuditFilter filter;
    filter.actor = text_param(request, "actor");
    if (auto resource = text_param(request, "resource")) {
        const auto colon = resource->find(':');
        filter.resource_type = resource->substr(0, colon);
        if (colon != std::string::npos) filter.resource_id = resource->substr(colon + 1);
        if (filter.resource_type->empty() || (filter.resource_id && filter.resource_id->empty()))
            return sdk::Error::invalid("query parameter 'resource' must be <type> or <type>:<id>");
    }
    if (auto action = text_param(request, "action")) {
        if (action->size() > 1 && action->ends_with('*'))
            filter.action_prefix = action->substr(0, action->size() - 1);
        else if (action->find('*') != std::string::npos)
            return sdk::Error::invalid(
                "query parameter 'action' must be a topic or a prefix ending in '*'");
        else
            filter.action = std::move(action);
    }
    ADMIT_TRY_ASSIGN(filter.from_us, time_param(request, "from"));
    ADMIT_TRY_ASSIGN(filter.to_us, time_param(request, "to"));
    if (filter.from_us && filter.to_us && *filter.from_us > *filter.to_us)
        return sdk::Error::invalid("query parameter 'from' must not be after 'to'");
    if (auto cursor = text_param(request, "cursor")) {
        int64_t seq = 0;
        const char* end = cursor->data() + cursor->size();
        auto [ptr, ec] = std::from_chars(cursor->data(), end, seq);
        if (ec != std::errc{} || ptr != end || seq < 1)
            return sdk::Error::invalid("query parameter 'cursor' is not a cursor of this list");
        filter.before_seq = seq;
    }
    return filter;
}

sdk::Result<boost::json::object> AuditQuery::page(const AuditFilter& filter, int64_t limit) {
    Where where = where_of(filter);
    auto rows =
        db_.exec_params(std::string("SELECT ") + kEntryColumns + " FROM log.entries" + where.sql +
                            " ORDER BY seq DESC LIMIT " + std::to_string(limit + 1),
                        where.params);
    if (!rows) return std::move(rows).error();
    boost::json::array items;
    boost::json::value next = nullptr;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        if (static_cast<int64_t>(i) == limit) {
            next = std::to_string((*rows)[i - 1].int64("seq").value_or(0));
            break;
        }
        items.push_back(entry_json(entry_from_row((*rows)[i])));
    }
    return boost::json::object{{"items", std::move(items)}, {"nextCursor", std::move(next)}};
}

sdk::Result<std::string> AuditQuery::export_lines(const AuditFilter& filter, int64_t max_entries) {
    Where where = where_of(filter);
    auto counted =
        db_.exec_params("SELECT count(*) AS n FROM log.entries" + where.sql, where.params);
    if (!counted) return std::move(counted).error();
    const int64_t total = counted->front().int64("n").value_or(0);
    if (total > max_entries) {
        return sdk::Error::rejected("EXPORT_TOO_LARGE: " + std::to_string(total) +
                                    " entries match, at most " + std::to_string(max_entries) +
                                    " per export; narrow 'from' and 'to'");
    }
    std::string lines;
    int64_t after_seq = 0;
    while (true) {
        Where paged = where;
        paged.add("seq > ", std::to_string(after_seq));
        auto rows =
            db_.exec_params(std::string("SELECT ") + kEntryColumns + " FROM log.entries" +
                                paged.sql + " ORDER BY seq LIMIT " + std::to_string(kExportPage),
                            paged.params);
        if (!rows) return std::move(rows).error();
        for (const auto& row : *rows) {
            const AuditEntry entry = entry_from_row(row);
            lines += boost::json::serialize(entry_json(entry));
            lines += '\n';
            after_seq = entry.seq;
        }
        if (static_cast<int64_t>(rows->size()) < kExportPage) break;
    }
    return lines;
}

}  // namespace admit::log
