#include "host/outbound/tls_context.hpp"

namespace admit::outbound {

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsSettings& settings) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1,
                         ec);
    context->set_default_verify_paths(ec);  // a missing system store leaves only ca_file
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

}  // namespace admit::outbound
