// RevocationFollower: the thread that keeps this host's remembered revocation verdicts honest by
// reading the revocation log (Revocation::follow_log) every `interval`. Each good read trusts the
// verdicts for three intervals; a failing read distrusts them at once, so a host that cannot read
// the log asks Redis (or PostgreSQL) on every request, as it would without the cache.
//
// Thread-safety: start()/stop() from one thread (the plugin's start/stop); stop() is idempotent.
#pragma once

#include "revocation.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace admit::auth {

class RevocationFollower {
  public:
    using Warn = std::function<void(const std::string&)>;

    RevocationFollower(Revocation& revocation, std::chrono::milliseconds interval, Warn warn)
        : revocation_(revocation), interval_(interval), warn_(std::move(warn)) {}
    ~RevocationFollower() { stop(); }
    RevocationFollower(const RevocationFollower&) = delete;
    RevocationFollower& operator=(const RevocationFollower&) = delete;

    void start();
    void stop();

  private:
    void run();

    Revocation& revocation_;
    const std::chrono::milliseconds interval_;
    Warn warn_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace admit::auth
