#include "host/store/before_commit.hpp"

#include <exception>
#include <utility>

namespace admit::store {

void BeforeCommit::add(Work work) { work_.push_back(std::move(work)); }

Status BeforeCommit::run() {
    // Index, not iterators: work may add work (run after it) while it runs.
    for (std::size_t i = 0; i < work_.size(); ++i) {
        Work work = std::move(work_[i]);
        Status status;
        try {
            status = work();
        } catch (const std::exception& e) {
            status =
                Error{ErrorCode::INTERNAL, std::string("before-commit work threw: ") + e.what()};
        } catch (...) {
            status = Error{ErrorCode::INTERNAL, "before-commit work threw"};
        }
        if (!status) {
            work_.clear();
            return status;
        }
    }
    work_.clear();
    return {};
}

}  // namespace admit::store
