// TlsContext: the OpenSSL client context shared by every https connection of the host: peer
// verification against the system store plus an optional CA file. Built once; thread-safe to use
// for creating streams afterwards.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "host/common/result.hpp"

namespace admit::outbound {

struct TlsSettings {
    bool verify = true;
    std::filesystem::path ca_file;  // empty: the system store only
};

// CONFIG_INVALID_VALUE when the CA file cannot be loaded.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsSettings& settings);

// The context, made at the first https call rather than at start: OpenSSL 3 initialises its
// providers and fetches the TLS algorithms in SSL_CTX_new (30-40 ms of every quiet start of
// admitd, 60-350 ms while it restarts beside loaded peers), and a venue whose upstreams are all
// plain http (a loopback simulator) never needs it. Thread-safe.
class LazyTlsContext {
  public:
    explicit LazyTlsContext(TlsSettings settings) : settings_(std::move(settings)) {}

    // The context, made at the first call; every call gets the error when it could not be made.
    Result<boost::asio::ssl::context*> get();

  private:
    TlsSettings settings_;
    std::once_flag once_;
    std::shared_ptr<boost::asio::ssl::context> context_;
    std::optional<Error> error_;
};

}  // namespace admit::outbound
