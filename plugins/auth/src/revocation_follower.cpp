#include "revocation_follower.hpp"

namespace admit::auth {

void RevocationFollower::follow_once() {
    const sdk::Status followed = revocation_.follow_log(3 * interval_);
    if (!followed && !failing_) {
        warn_("auth: cannot read the revocation log (" + followed.message() +
              "); every request asks Redis or PostgreSQL until it can");
    }
    failing_ = !followed;
}

}  // namespace admit::auth
