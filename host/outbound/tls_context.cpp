#include "host/outbound/tls_context.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

#include <openssl/x509.h>

namespace admit::outbound {

namespace {

// Whether `dir` holds an OpenSSL hashed certificate store (names like "002c0b4f.0").
bool is_hashed_store(const std::filesystem::path& dir) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() >= 10 && name[8] == '.' && name.find_first_not_of("0123456789abcdef") == 8)
            return true;
    }
    return false;
}

// The system store by its hashed directory (/etc/ssl/certs on Debian), whose certificates are
// read only when a verification needs them. set_default_verify_paths also parses the whole
// bundle file up front (about 140 certificates: 30-40 ms of every start of admitd, ten times
// that on a loaded host while it restarts). An explicit SSL_CERT_FILE, or a system without a
// hashed directory, gets set_default_verify_paths as before.
void use_system_store(boost::asio::ssl::context& context) {
    boost::system::error_code ec;
    const char* file_env = std::getenv(X509_get_default_cert_file_env());
    const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
    const std::string dir =
        dir_env != nullptr && *dir_env != '\0' ? dir_env : X509_get_default_cert_dir();
    if ((file_env == nullptr || *file_env == '\0') && dir.find(':') == std::string::npos &&
        is_hashed_store(dir)) {
        context.add_verify_path(dir, ec);
        if (!ec) return;
    }
    context.set_default_verify_paths(ec);  // a missing system store leaves only ca_file
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsSettings& settings) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1,
                         ec);
    use_system_store(*context);
    if (!settings.ca_file.empty()) {
        context->load_verify_file(settings.ca_file.string(), ec);
        if (ec) {
            return Error{ErrorCode::CONFIG_INVALID_VALUE,
                         "outbound.ca_file " + settings.ca_file.string() + ": " + ec.message()};
        }
    }
    context->set_verify_mode(settings.verify ? ssl::verify_peer : ssl::verify_none);
    return context;
}

Result<boost::asio::ssl::context*> LazyTlsContext::get() {
    std::call_once(once_, [this] {
        auto made = make_tls_context(settings_);
        if (made)
            context_ = std::move(made.value());
        else
            error_ = made.error();
    });
    if (error_) return *error_;
    return context_.get();
}

}  // namespace admit::outbound
