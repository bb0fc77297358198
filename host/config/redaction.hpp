// Redaction of secrets in anything printed or logged.
#pragma once

#include <string>
#include <string_view>

namespace admit::config {

// The URL with the password of its user-info ("user:secret@") and any password= query parameter
// replaced by "***". Text that is not a URL comes back unchanged.
std::string redact_url(std::string_view url);

// Whether a setting with this key name holds a secret (password, secret, token, credential, ...).
bool is_secret_key(std::string_view key);

}  // namespace admit::config
