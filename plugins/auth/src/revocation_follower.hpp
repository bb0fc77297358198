// RevocationFollower: the thread that keeps this host's remembered revocation verdicts honest by
// reading the revocation log (Revocation::follow_log) every `interval`. Each good read trusts the
// verdicts for three intervals; a failing read distrusts them at once, so a host that cannot read
// the log asks Redis (or PostgreSQL) on every request, as it would without the cache.
//
// Thread-safety: start()/stop() from one thread (the plugin's start/stop); stop() is idempotent.
#pragma once

#include "revocation.hpp"

#include <admit/sdk/periodic_thread.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace admit::auth {

class RevocationFollower {
  public:
    using Warn = std::function<void(const std::string&)>;

    RevocationFollower(Revocation& revocation, std::chrono::milliseconds interval, Warn warn)
        : revocation_(revocation),
          interval_(interval),
          warn_(std::move(warn)),
          thread_(
              interval, [this] { follow_once(); },
              [this](const std::string& what) { warn_("auth: revocation follower: " + what); }) {}
    RevocationFollower(const RevocationFollower&) = delete;
    RevocationFollower& operator=(const RevocationFollower&) = delete;

    void start() { thread_.start(); }
    void stop() { thread_.stop(); }

  private:
    void follow_once();

    Revocation& revocation_;
    const std::chrono::milliseconds interval_;
    Warn warn_;
    bool failing_ = false;        ///< the last read failed (thread only)
    sdk::PeriodicThread thread_;  ///< last: stopped first
};

}  // namespace admit::auth
