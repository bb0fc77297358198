#include "update_coalescing.hpp"

#include <algorithm>
#include <utility>

namespace admit::queue {

std::optional<CoalescedUpdate> coalesce_updates(const std::vector<std::string>& stored,
                                                std::optional<int64_t> sent,
                                                std::size_t first_sight) {
    std::vector<std::pair<int64_t, boost::json::object>> summaries;
    summaries.reserve(stored.size());
    for (const auto& text : stored) {
        boost::system::error_code ec;
        auto value = boost::json::parse(text, ec);
        if (ec || !value.is_object()) continue;
        const auto* version = value.as_object().if_contains("version");
        if (version == nullptr || !version->is_int64()) continue;
        summaries.emplace_back(version->as_int64(), std::move(value.as_object()));
    }
    if (summaries.empty()) return std::nullopt;
    std::sort(summaries.begin(), summaries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    const int64_t newest = summaries.back().first;
    if (sent && newest == *sent) return std::nullopt;
    auto first_new = summaries.begin();
    int64_t missed = 0;
    if (!sent) {
        const auto take = std::min(std::max<std::size_t>(first_sight, 1), summaries.size());
        first_new = summaries.end() - static_cast<std::ptrdiff_t>(take);
    } else if (newest > *sent) {
        first_new = std::upper_bound(summaries.begin(), summaries.end(), *sent,
                                     [](int64_t v, const auto& s) { return v < s.first; });
        missed = std::max<int64_t>(0, first_new->first - *sent - 1);
    }  // else numbered anew after Redis lost them: all are news here
    CoalescedUpdate out;
    out.version = newest;
    out.missed = missed;
    boost::json::array admitted;
    bool any_list = false;
    for (auto it = first_new; it != summaries.end(); ++it) {
        ++out.merged;
        const auto* list = it->second.if_contains("admitted");
        if (list == nullptr || !list->is_array()) continue;
        any_list = true;
        for (const auto& id : list->as_array()) admitted.push_back(id);
    }
    out.message = std::move(summaries.back().second);
    if (any_list) out.message["admitted"] = std::move(admitted);
    return out;
}

}  // namespace admit::queue
