#include "host/policy/policy_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <set>

namespace admit::policy {

Result<std::unique_ptr<PolicyWatcher>> PolicyWatcher::start(
    std::vector<std::filesystem::path> directories, std::chrono::milliseconds debounce,
    Callback on_change) {
    std::unique_ptr<PolicyWatcher> watcher(new PolicyWatcher());
    watcher->debounce_ = debounce;
    watcher->on_change_ = std::move(on_change);
    watcher->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    watcher->stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (watcher->inotify_fd_ < 0 || watcher->stop_fd_ < 0) {
        return Error{ErrorCode::POLICY_WATCH,
                     std::string("cannot start watching policies: ") + std::strerror(errno)};
    }
    for (const auto& directory : directories) {
        const int wd = inotify_add_watch(watcher->inotify_fd_, directory.c_str(),
                                         IN_CLOSE_WRITE | IN_MOVED_TO);
        if (wd < 0) {
            return Error{ErrorCode::POLICY_WATCH,
                         "cannot watch " + directory.string() + ": " + std::strerror(errno)};
        }
        watcher->watches_.emplace_back(wd, directory);
    }
    watcher->thread_ = std::thread([raw = watcher.get()] { raw->run(); });
    return watcher;
}

PolicyWatcher::~PolicyWatcher() {
    if (thread_.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(stop_fd_, &one, sizeof one);
        thread_.join();
    }
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
}

void PolicyWatcher::run() {
    using clock = std::chrono::steady_clock;
    std::set<std::filesystem::path> pending;
    clock::time_point quiet_at{};
    alignas(inotify_event) std::array<char, 8192> buffer{};
    for (;;) {
        int timeout_ms = -1;
        if (!pending.empty()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(quiet_at - clock::now());
            timeout_ms =
                static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
        }
        std::array<pollfd, 2> fds{{{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
        if (ready < 0 && errno != EINTR) {
            spdlog::error("policy watcher stopped: {}", std::strerror(errno));
            return;
        }
        if (fds[1].revents != 0) return;
        if (fds[0].revents & POLLIN) {
            ssize_t length;
            while ((length = ::read(inotify_fd_, buffer.data(), buffer.size())) > 0) {
                for (ssize_t offset = 0; offset < length;) {
                    const auto* event =
                        reinterpret_cast<const inotify_event*>(buffer.data() + offset);
                    offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                    if (event->len == 0) continue;
                    for (const auto& [wd, directory] : watches_) {
                        if (wd == event->wd) pending.insert(directory / event->name);
                    }
                }
            }
            quiet_at = clock::now() + debounce_;
            continue;
        }
        if (!pending.empty() && clock::now() >= quiet_at) {
            std::vector<std::filesystem::path> files(pending.begin(), pending.end());
            pending.clear();
            try {
                on_change_(files);
            } catch (const std::exception& e) {
                spdlog::error("policy reload after a file change failed: {}", e.what());
            }
        }
    }
}

}  // namespace admit::policy
