// A one-line summary of how a revision's sources differ from another's, for audit events.
#pragma once

#include <string>
#include <string_view>

namespace admit::policy {

// "source +2 -1 lines; tests +1 -1 lines" (lines added and removed, counted as multisets of
// lines, so moved lines do not count); "source unchanged; tests unchanged" when equal; a first
// revision (empty `before`) counts every line as added.
std::string diff_summary(std::string_view source_before, std::string_view source_after,
                         std::string_view tests_before, std::string_view tests_after);

}  // namespace admit::policy
