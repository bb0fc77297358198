#include "host/store/after_commit.hpp"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace admit::store {

AfterCommit::~AfterCommit() { run(false); }

void AfterCommit::add(Callback callback) { callbacks_.push_back(std::move(callback)); }

void AfterCommit::run(bool committed) noexcept {
    auto pending = std::move(callbacks_);
    callbacks_.clear();
    for (auto& callback : pending) {
        try {
            callback(committed);
        } catch (const std::exception& e) {
            spdlog::error("after-commit work threw: {}", e.what());
        } catch (...) {
            spdlog::error("after-commit work threw a non-standard exception");
        }
    }
}

}  // namespace admit::store
