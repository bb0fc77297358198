#include "schedule_facts.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::queue {

sdk::Result<ScheduleFacts> parse_schedule_facts(const boost::json::value& answer) {
    if (!answer.is_object()) return sdk::Error::internal("sale_context is not an object");
    const auto& o = answer.as_object();
    ScheduleFacts facts;
    const auto* id = o.if_contains("scheduleId");
    if (id == nullptr || !id->is_string())
        return sdk::Error::internal("sale_context has no scheduleId");
    facts.schedule_id = std::string(id->as_string());
    if (const auto* c = o.if_contains("category"); c && c->is_string())
        facts.category = std::string(c->as_string());
    if (const auto* st = o.if_contains("productStatus"); st && st->is_string())
        facts.product_status = std::string(st->as_string());
    if (const auto* seller = o.if_contains("sellerId"); seller && seller->is_string())
        facts.seller_id = std::string(seller->as_string());
    if (const auto* q = o.if_contains("queueRequired"); q && q->is_bool())
        facts.queue_required = q->as_bool();
    if (const auto* s = o.if_contains("saleStartsAt"); s && s->is_string())
        facts.sale_starts_us = sdk::parse_rfc3339(s->as_string());
    const auto* seats = o.if_contains("seats");
    const bool ga = o.contains("seating") && o.at("seating").is_string() &&
                    o.at("seating").as_string() == "GENERAL_ADMISSION";
    if (!ga && seats && seats->is_array()) {
        facts.capacity = static_cast<int64_t>(seats->as_array().size());
    } else if (const auto* grades = o.if_contains("grades"); grades && grades->is_array()) {
        for (const auto& g : grades->as_array()) {
            if (!g.is_object()) continue;
            if (const auto* t = g.as_object().if_contains("total"); t && t->is_int64())
                facts.capacity += t->as_int64();
        }
    }
    return facts;
}

sdk::Result<std::shared_ptr<const ScheduleFacts>> ScheduleFactsCache::get(
    const std::string& schedule_id) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(schedule_id);
        if (it != entries_.end() && now - it->second.fetched < ttl_) {
            if (it->second.facts) return it->second.facts;
            return it->second.error;
        }
    }
    auto answer = fetch_(schedule_id);
    Entry entry{now, nullptr, sdk::Error::internal("")};
    if (answer) {
        auto parsed = parse_schedule_facts(*answer);
        if (!parsed) return std::move(parsed).error();
        entry.facts = std::make_shared<const ScheduleFacts>(std::move(*parsed));
    } else if (answer.error().is_not_found()) {
        entry.error = answer.error();
    } else {
        return std::move(answer).error();  // transient: not cached
    }
    std::lock_guard lock(mutex_);
    if (entries_.size() > 10000) entries_.clear();  // bound: schedules are few; never grows wild
    auto& slot = entries_[schedule_id] = std::move(entry);
    if (slot.facts) return slot.facts;
    return slot.error;
}

}  // namespace admit::queue
