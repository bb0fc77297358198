#include "init.hpp"

#include <sodium.h>

namespace admit::ticket {

sdk::Status init_ticket_codes() {
    if (sodium_init() < 0) return sdk::Error::internal("libsodium failed to initialise");
    return {};
}

}  // namespace admit::ticket
