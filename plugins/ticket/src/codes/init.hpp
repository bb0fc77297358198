// One-time initialisation of the ticket code library.
#pragma once

#include <admit/sdk/result.hpp>

namespace admit::ticket {

/// Initialises libsodium (sodium_init). Call it once, before any other function of this library
/// runs (plugin init, main() of a tool, a test's SetUpTestSuite); calling it again is harmless
/// and thread-safe. ADMIT_E_INTERNAL when libsodium cannot initialise.
sdk::Status init_ticket_codes();

}  // namespace admit::ticket
