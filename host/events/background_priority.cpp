#include "host/events/background_priority.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace admit::events {

namespace {
id_t this_thread_id() { return static_cast<id_t>(::syscall(SYS_gettid)); }
}  // namespace

void run_this_thread_in_background(int nice) {
    if (nice <= 0) return;
    if (::setpriority(PRIO_PROCESS, this_thread_id(), nice) != 0) {
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true)) {
            spdlog::warn("event threads keep their priority: setpriority failed: {}",
                         std::strerror(errno));
        }
    }
}

int this_thread_nice() {
    errno = 0;
    return ::getpriority(PRIO_PROCESS, this_thread_id());
}

}  // namespace admit::events
