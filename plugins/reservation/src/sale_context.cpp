#include "sale_context.hpp"

#include <algorithm>

#include <admit/sdk/time_text.hpp>

#include <optional>

namespace admit::reservation {

namespace {
std::string text_of(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string{};
}
std::optional<int64_t> time_of(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return sdk::parse_rfc3339(value->as_string());
}
int64_t integer_of(const boost::json::value* value) {
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64()) return static_cast<int64_t>(value->as_uint64());
    return 0;
}
}  // namespace

bool SaleContext::on_sale(int64_t now_us) const {
    // The sale window is the truth. SCHEDULED past its sale start counts as on sale: the product's
    // timed move to ON_SALE runs on a job tick, and the context is cached, so waiting for the
    // status would refuse the first buyers of a flash sale for up to a second or two.
    const bool scheduled_and_started =
        product_status == "SCHEDULED" && sale_starts_us && now_us >= *sale_starts_us;
    if (product_status != "ON_SALE" && !scheduled_and_started) return false;
    if (sale_starts_us && now_us < *sale_starts_us) return false;
    if (sale_ends_us && now_us >= *sale_ends_us) return false;
    return true;
}

bool SaleContext::published() const {
    return product_status.empty() || product_status == "SCHEDULED" || product_status == "ON_SALE" ||
           product_status == "CLOSED" || product_status == "COMPLETED";
}

sdk::Result<SaleContext> parse_sale_context(const boost::json::value& answer) {
    if (!answer.is_object())
        return sdk::Error::internal("product.sale_context answered a non-object");
    const auto& object = answer.as_object();
    SaleContext context;
    context.schedule_id = text_of(object, "scheduleId");
    context.product_id = text_of(object, "productId");
    context.product_status = text_of(object, "productStatus");
    context.seller_id = text_of(object, "sellerId");
    context.category = text_of(object, "category");
    context.general_admission = text_of(object, "seating") == "GENERAL_ADMISSION";
    context.starts_us = time_of(object, "startsAt");
    context.sale_starts_us = time_of(object, "saleStartsAt");
    context.sale_ends_us = time_of(object, "saleEndsAt");
    if (const auto* queued = object.if_contains("queueRequired"); queued && queued->is_bool())
        context.queue_required = queued->as_bool();
    if (const auto* grades = object.if_contains("grades");
        grades != nullptr && grades->is_array()) {
        for (const auto& item : grades->as_array()) {
            if (!item.is_object()) continue;
            const auto& grade = item.as_object();
            Grade parsed;
            parsed.name = text_of(grade, "name");
            parsed.total = integer_of(grade.if_contains("total"));
            if (const auto* price = grade.if_contains("price");
                price != nullptr && price->is_object()) {
                parsed.price = integer_of(price->as_object().if_contains("amount"));
                if (auto currency = text_of(price->as_object(), "currency"); !currency.empty())
                    parsed.currency = currency;
            }
            context.grades.emplace(text_of(grade, "gradeId"), std::move(parsed));
        }
    }
    if (const auto* seats = object.if_contains("seats"); seats != nullptr && seats->is_array()) {
        for (const auto& item : seats->as_array()) {
            if (!item.is_object()) continue;
            const auto& seat = item.as_object();
            context.seats.emplace(text_of(seat, "seatId"),
                                  Seat{text_of(seat, "gradeId"), text_of(seat, "label")});
        }
    }
    if (context.schedule_id.empty() || context.product_id.empty()) {
        return sdk::Error::internal("product.sale_context answer lacks scheduleId or productId");
    }
    return context;
}

sdk::Result<std::shared_ptr<const SaleContext>> SaleContextCache::get(
    const std::string& schedule_id) {
    const auto now = std::chrono::steady_clock::now();
    auto answer_of = [](const Entry& entry) -> sdk::Result<std::shared_ptr<const SaleContext>> {
        if (entry.context) return entry.context;
        return entry.error;
    };
    std::optional<Entry> stale;
    {
        std::lock_guard lock(mutex_);
        auto found = entries_.find(schedule_id);
        if (found != entries_.end()) {
            if (now - found->second.fetched < ttl_) return answer_of(found->second);
            stale = found->second;
        }
    }
    // One fetch per schedule at a time (single flight): when a sale opens, hundreds of requests
    // miss together and must not all fetch and parse the same context; the waiters find it
    // cached. When an expired entry exists, whoever finds a fetch under way answers from it
    // instead of waiting.
    const auto lock = fetch_lock(schedule_id);
    std::unique_lock fetching(*lock, std::defer_lock);
    if (stale) {
        if (!fetching.try_lock()) return answer_of(*stale);
    } else {
        fetching.lock();
    }
    {
        std::lock_guard lock(mutex_);
        auto found = entries_.find(schedule_id);
        if (found != entries_.end() &&
            std::chrono::steady_clock::now() - found->second.fetched < ttl_) {
            return answer_of(found->second);
        }
    }
    auto answer = fetch_(schedule_id);
    Entry entry{now, nullptr, sdk::Error::internal("")};
    if (!answer) {
        if (!answer.error().is_not_found()) return std::move(answer).error();
        entry.error = answer.error();
    } else {
        auto parsed = parse_sale_context(*answer);
        if (!parsed) return std::move(parsed).error();
        entry.context = std::make_shared<const SaleContext>(std::move(*parsed));
    }
    std::lock_guard guard(mutex_);
    store(schedule_id, entry);
    return answer_of(entry);
}

std::shared_ptr<std::mutex> SaleContextCache::fetch_lock(const std::string& schedule_id) {
    std::lock_guard guard(mutex_);
    auto& slot = fetching_[schedule_id];
    if (auto lock = slot.lock()) return lock;
    auto lock = std::make_shared<std::mutex>();
    slot = lock;
    if (fetching_.size() > 2 * entries_.size() + 64)  // drop the slots nobody holds any more
        std::erase_if(fetching_, [](const auto& item) { return item.second.expired(); });
    return lock;
}

void SaleContextCache::store(const std::string& schedule_id, const Entry& entry) {
    auto found = entries_.find(schedule_id);
    if (found != entries_.end() && !found->second.context) --unknown_;
    if (!entry.context && unknown_ >= max_unknown_) {
        // Full of ids that do not exist: forget them all (known schedules stay).
        std::erase_if(entries_, [](const auto& item) { return !item.second.context; });
        unknown_ = 0;
    }
    entries_[schedule_id] = entry;
    if (!entry.context) ++unknown_;
}

std::size_t SaleContextCache::size() const {
    std::lock_guard guard(mutex_);
    return entries_.size();
}

}  // namespace admit::reservation
