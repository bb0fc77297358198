#include "dummy_hash.hpp"

#include "encoding.hpp"

namespace admit::auth {

sdk::Result<std::string> DummyHash::get() {
    std::lock_guard guard(mutex_);
    if (value_) return *value_;
    // A random password nobody knows: the hash only has to cost what a real one costs.
    auto computed = hasher_.hash(random_token(24), "admitd");
    if (!computed) return computed;
    value_ = std::move(*computed);
    return *value_;
}

}  // namespace admit::auth
