#include "checkin_rules.hpp"

#include <algorithm>

namespace admit::ticket {

namespace {
constexpr std::size_t kMaxCachedRules = 10'000;
constexpr std::string_view kPolicy = "checkin";

int64_t integer_or(const boost::json::object& object, std::string_view field, int64_t otherwise) {
    const auto* value = object.if_contains(field);
    if (value == nullptr) return otherwise;
    if (value->is_int64()) return value->as_int64();
    if (value->is_double() &&
        value->as_double() == static_cast<double>(static_cast<int64_t>(value->as_double())))
        return static_cast<int64_t>(value->as_double());
    return otherwise;
}
}  // namespace

std::string_view reentry_name(Reentry reentry) noexcept {
    switch (reentry) {
        case Reentry::none:
            return "NONE";
        case Reentry::once_per_day:
            return "ONCE_PER_DAY";
        case Reentry::after_exit:
            return "AFTER_EXIT";
    }
    return "NONE";
}

std::optional<Reentry> parse_reentry(std::string_view name) noexcept {
    if (name == "NONE") return Reentry::none;
    if (name == "ONCE_PER_DAY") return Reentry::once_per_day;
    if (name == "AFTER_EXIT") return Reentry::after_exit;
    return std::nullopt;
}

int64_t CheckinRule::day_of(int64_t unix_seconds) const noexcept {
    const int64_t local =
        unix_seconds + int64_t{utc_offset_minutes} * 60 - int64_t{day_starts_at_hour} * 3600;
    // Floor division: times before 1970 never occur, but keep days monotonic anyway.
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

CheckinRule rule_from_decision(const boost::json::value& decision, std::string revision) {
    CheckinRule rule;
    rule.revision = std::move(revision);
    const auto* object = decision.if_object();
    if (object == nullptr) return rule;
    if (const auto* reentry = object->if_contains("reentry"); reentry && reentry->is_string()) {
        if (auto parsed = parse_reentry(reentry->as_string())) rule.reentry = *parsed;
    }
    if (const auto* allow = object->if_contains("allowStaticCode"); allow && allow->is_bool())
        rule.allow_static_code = allow->as_bool();
    const auto offset = integer_or(*object, "utcOffsetMinutes", 0);
    rule.utc_offset_minutes = static_cast<int>(std::clamp<int64_t>(offset, -840, 840));
    const auto hour = integer_or(*object, "dayStartsAtHour", 0);
    rule.day_starts_at_hour = static_cast<int>(std::clamp<int64_t>(hour, 0, 23));
    return rule;
}

sdk::Result<CheckinRule> CheckinRules::decide(const ScheduleFacts& facts, const std::string& gate) {
    boost::json::object input{
        {"scheduleId", facts.schedule_id},
        {"productId", facts.product_id},
        {"startsAt", facts.starts_us / 1'000'000},
        {"endsAt", facts.valid_until_us / 1'000'000},
        {"gate", gate},
        {"scope", "product/" + facts.product_id + "/schedule/" + facts.schedule_id}};
    auto decision = host_.policy(kPolicy, input);
    if (!decision) {
        // No checkin policy in this venue (or no policy engine): the built-in rule (one entry).
        // Anything else (the
        // host could not evaluate at all) is the caller's error; a failing policy already
        // answered its fallback.
        if (decision.error().is_not_found() || decision.error().status == ADMIT_E_UNSUPPORTED)
            return CheckinRule{};
        return std::move(decision).error();
    }
    return rule_from_decision(decision->decision, std::move(decision->revision));
}

sdk::Result<CheckinRule> CheckinRules::rule_for(const std::string& schedule_id,
                                                const std::string& gate) {
    const std::string key = schedule_id + '\n' + gate;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (auto found = cache_.find(key); found != cache_.end() && found->second.until > now)
            return found->second.rule;
    }
    auto facts = schedules_.find(schedule_id);
    if (!facts) return std::move(facts).error();
    if (!*facts) return CheckinRule{};
    CheckinRule rule;
    ADMIT_TRY_ASSIGN(rule, decide(**facts, gate));
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedRules) cache_.clear();
    cache_[key] = Cached{rule, now + cache_ttl_};
    return rule;
}

}  // namespace admit::ticket
