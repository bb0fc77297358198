#include "schedule_facts.hpp"

#include "product_input.hpp"

namespace admit::product {

using admit::sdk::Error;
using admit::sdk::Result;

int ScheduleFacts::grade_index(std::string_view grade_id) const {
    for (std::size_t i = 0; i < grades.size(); ++i) {
        if (grades[i].grade_id == grade_id) return static_cast<int>(i);
    }
    return -1;
}

namespace {
std::string json_text(std::string_view text) {
    return boost::json::serialize(boost::json::string(text));
}
std::string json_number(double value) { return boost::json::serialize(boost::json::value(value)); }
}  // namespace

Result<std::shared_ptr<const ScheduleFacts>> load_schedule_facts(admit::sdk::Host& host,
                                                                 const std::string& schedule_id) {
    auto head = host.db().exec(
        "SELECT s.product_id, p.seller_id, p.title, p.status, p.category, p.seating, "
        "(extract(epoch FROM s.starts_at) * 1000000)::bigint AS starts_us, "
        "(extract(epoch FROM p.sale_starts_at) * 1000000)::bigint AS sale_starts_us, "
        "(extract(epoch FROM p.sale_ends_at) * 1000000)::bigint AS sale_ends_us, "
        "s.queue_required "
        "FROM product.schedules s JOIN product.products p ON p.id = s.product_id WHERE s.id = $1",
        schedule_id);
    if (!head) return std::move(head).error();
    if (head->empty()) return Error::not_found("schedule " + schedule_id + " does not exist");
    auto facts = std::make_shared<ScheduleFacts>();
    const auto row = head->front();
    facts->schedule_id = schedule_id;
    facts->product_id = row.text("product_id");
    facts->seller_id = row.text("seller_id");
    facts->title = row.text("title");
    facts->status = row.text("status");
    facts->category = row.text("category");
    facts->seating = row.text("seating");
    facts->starts_at_us = row.int64("starts_us").value_or(0);
    facts->sale_starts_us = row.int64("sale_starts_us").value_or(0);
    facts->sale_ends_us = row.int64("sale_ends_us").value_or(0);
    facts->queue_required = row.text("queue_required") == "t";

    auto grades = host.db().exec(
        "SELECT id, name, price_amount, currency, total FROM product.grades WHERE product_id = "
        "$1 ORDER BY position",
        facts->product_id);
    if (!grades) return std::move(grades).error();
    for (const auto& g : *grades) {
        facts->grades.push_back({g.text("id"), g.text("name"), g.int64("price_amount").value_or(0),
                                 g.text("currency"), g.int64("total").value_or(0)});
    }
    auto seats = host.db().exec(
        "SELECT seat_id, grade_id, label, x, y FROM product.grade_seats WHERE product_id = $1 "
        "ORDER BY position",
        facts->product_id);
    if (!seats) return std::move(seats).error();
    facts->seats.reserve(seats->size());
    for (const auto& s : *seats) {
        SeatFacts seat{s.text("seat_id"),       s.text("label"),         0,
                       s.real("x").value_or(0), s.real("y").value_or(0), {}};
        const int index = facts->grade_index(s.text("grade_id"));
        seat.grade_index = index < 0 ? 0 : static_cast<std::size_t>(index);
        std::string& prefix =
            seat.rendered_prefix;  // appends: g++ 12 -O3 misreads "[" + string (-Wrestrict)
        prefix.append(1, '[')
            .append(json_text(seat.seat_id))
            .append(1, ',')
            .append(json_text(seat.label));
        prefix.append(1, ',')
            .append(std::to_string(seat.grade_index))
            .append(1, ',')
            .append(json_number(seat.x));
        prefix.append(1, ',').append(json_number(seat.y)).append(",\"");
        facts->seats.push_back(std::move(seat));
    }
    return std::shared_ptr<const ScheduleFacts>(std::move(facts));
}

Result<std::shared_ptr<const ScheduleFacts>> FactsCache::get(const std::string& schedule_id) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(schedule_id);
        if (it != entries_.end() && now - it->second.loaded_at < ttl_) return it->second.facts;
    }
    auto loaded = load_schedule_facts(host_, schedule_id);
    if (!loaded) return loaded;
    std::lock_guard lock(mutex_);
    entries_[schedule_id] = Entry{*loaded, now};
    return loaded;
}

void FactsCache::invalidate_product(const std::string& product_id) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.facts->product_id == product_id)
            it = entries_.erase(it);
        else
            ++it;
    }
}

}  // namespace admit::product
