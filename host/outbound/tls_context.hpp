// TlsContext: the OpenSSL client context shared by every https connection of the host: peer
// verification against the system store plus an optional CA file. Built once; thread-safe to use
// for creating streams afterwards.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>

#include "host/common/result.hpp"

namespace admit::outbound {

struct TlsSettings {
    bool verify = true;
    std::filesystem::path ca_file;  // empty: the system store only
};

// CONFIG_INVALID_VALUE when the CA file cannot be loaded.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsSettings& settings);

}  // namespace admit::outbound
