#include "host/policy/policy_types.hpp"

namespace admit::policy {

Clock system_clock() {
    return [] {
        using namespace std::chrono;
        return duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
}

std::string PolicyProblem::describe() const {
    std::string text;
    if (!file.empty()) {
        text = file + ":";
        if (line > 0) text += std::to_string(line) + ":";
        text += " ";
    }
    text += message;
    if (!failing_test.empty()) text += " (test " + failing_test + ")";
    return text;
}

const char* to_string(PublishResult result) {
    switch (result) {
        case PublishResult::published:
            return "published";
        case PublishResult::unchanged:
            return "unchanged";
        case PublishResult::rejected:
            return "rejected";
        case PublishResult::checked:
            return "checked";
        case PublishResult::pending:
            return "pending";
    }
    return "unknown";
}

}  // namespace admit::policy
