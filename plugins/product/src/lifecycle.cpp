#include "lifecycle.hpp"

namespace admit::product {

std::optional<std::string_view> next_state(std::string_view from, Move move) {
    switch (move) {
        case Move::submit:
            return from == "DRAFT" ? std::optional<std::string_view>("PENDING") : std::nullopt;
        case Move::approve:
            return from == "PENDING" ? std::optional<std::string_view>("SCHEDULED") : std::nullopt;
        case Move::reject:
            return from == "PENDING" ? std::optional<std::string_view>("DRAFT") : std::nullopt;
        case Move::open_sale:
            return from == "SCHEDULED" ? std::optional<std::string_view>("ON_SALE") : std::nullopt;
        case Move::close_sale:
            return from == "ON_SALE" ? std::optional<std::string_view>("CLOSED") : std::nullopt;
        case Move::complete:
            return from == "CLOSED" ? std::optional<std::string_view>("COMPLETED") : std::nullopt;
        case Move::cancel:
            if (from == "CANCELLED" || from == "COMPLETED") return std::nullopt;
            for (auto state : kStates) {
                if (state == from) return std::optional<std::string_view>("CANCELLED");
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::string_view move_name(Move move) {
    switch (move) {
        case Move::submit:
            return "submitted";
        case Move::approve:
            return "approved";
        case Move::reject:
            return "rejected";
        case Move::cancel:
            return "cancelled";
        case Move::open_sale:
            return "on_sale";
        case Move::close_sale:
            return "closed";
        case Move::complete:
            return "completed";
    }
    return "unknown";
}

bool uses_stage(std::string_view status) {
    return status != "DRAFT" && status != "REJECTED" && status != "CANCELLED" &&
           status != "COMPLETED";
}

bool publicly_visible(std::string_view status) {
    return status == "SCHEDULED" || status == "ON_SALE" || status == "CLOSED" ||
           status == "COMPLETED";
}

}  // namespace admit::product
