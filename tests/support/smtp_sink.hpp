// SmtpSink: a real SMTP server for a test (tests/support/smtp_sink.py, Debian's aiosmtpd run by
// /usr/bin/python3) in a child process on a free loopback port. Messages it accepts are read back
// with their envelope and whether they came over TLS and with which login. The destructor stops it.
#pragma once

#include "tests/support/admitd_process.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace admit::testing {

class SmtpSink {
  public:
    struct Options {
        std::string cert_file;  ///< with key_file: STARTTLS offered and required
        std::string key_file;
        std::string login;  ///< with password: AUTH required
        std::string password;
    };
    explicit SmtpSink(const Options& options);
    ~SmtpSink();
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    /// 0 when the server did not start (log() says why).
    uint16_t port() const { return port_; }
    /// Every message received so far, in arrival order: {"from", "to": [..], "data", "tls",
    /// "auth"}.
    std::vector<boost::json::object> messages() const;
    std::string log() const { return process_->log(); }

  private:
    std::filesystem::path dir_;
    std::unique_ptr<AdmitdProcess> process_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing
