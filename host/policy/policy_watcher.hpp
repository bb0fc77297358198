// PolicyWatcher: inotify on a few directories, reporting changed files after a quiet period.
#pragma once

#include "host/common/result.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace admit::policy {

class PolicyWatcher {
  public:
    using Callback = std::function<void(const std::vector<std::filesystem::path>& changed_files)>;

    // Starts a thread that watches directories for files closed after writing or moved in; once
    // no new event arrived for `debounce`, it calls on_change (on that thread) with the files.
    static Result<std::unique_ptr<PolicyWatcher>> start(
        std::vector<std::filesystem::path> directories, std::chrono::milliseconds debounce,
        Callback on_change);
    // Stops and joins the thread (waits for a running callback to return).
    ~PolicyWatcher();
    PolicyWatcher(const PolicyWatcher&) = delete;
    PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  private:
    PolicyWatcher() = default;
    void run();

    int inotify_fd_ = -1;
    int stop_fd_ = -1;
    std::chrono::milliseconds debounce_{100};
    Callback on_change_;
    std::vector<std::pair<int, std::filesystem::path>> watches_;
    std::thread thread_;
};

}  // namespace admit::policy
