// The product state machine (pure; no host access).
//
//   DRAFT --submit--> PENDING --approve--> SCHEDULED  (APPROVED is passed through in the same
//                        |                             transaction: approval needs a complete
//                        +--reject--> DRAFT (reason)   product, so its sale window is known)
//   SCHEDULED --sale start--> ON_SALE --sale end--> CLOSED --last performance over--> COMPLETED
//   any state but CANCELLED/COMPLETED --cancel--> CANCELLED
#pragma once

#include <optional>
#include <string_view>

namespace admit::product {

enum class Move { submit, approve, reject, cancel, open_sale, close_sale, complete };

/// The state `move` leads to from `from`, or nullopt when the move is illegal there.
std::optional<std::string_view> next_state(std::string_view from, Move move);

/// The name used in event topics ("product.<name>") and messages.
std::string_view move_name(Move move);

/// Every state a product can be in.
inline constexpr std::string_view kStates[] = {"DRAFT",   "PENDING", "APPROVED",  "SCHEDULED",
                                               "ON_SALE", "CLOSED",  "COMPLETED", "CANCELLED"};

/// True when a product in `status` keeps its stage busy (arthall must not delete it).
bool uses_stage(std::string_view status);

/// True when anyone may see a product in `status` (not only its seller and admins).
bool publicly_visible(std::string_view status);

}  // namespace admit::product
