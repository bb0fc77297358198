// Revision ids: a revision is the hash of a policy's sources (the policy file and its tests).
#pragma once

#include <string>
#include <string_view>

namespace admit::policy {

// First 16 hex digits of SHA-256 over both sources (with separators, so moving text between the
// two files changes the revision). Deterministic across hosts and restarts.
std::string revision_of(std::string_view policy_source, std::string_view test_source);

}  // namespace admit::policy
