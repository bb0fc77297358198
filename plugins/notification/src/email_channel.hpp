// E-mail over SMTP with libcurl: STARTTLS (required by default) and authentication with
// credentials from the environment. The recipient's address comes from the auth plugin's
// `auth.user` service at delivery time (never stored here).
//
// Thread-safety: deliver() is serialized by a mutex (one SMTP connection, reused between
// messages); the delivery job calls it from one thread anyway.
#pragma once

#include "channel.hpp"

#include <admit/sdk.hpp>

#include <mutex>
#include <string>

namespace admit::notification {

struct SmtpSettings {
    std::string url;               ///< smtp://host:port (STARTTLS) or smtps://host:port (TLS)
    std::string from;              ///< the From address
    std::string from_name;         ///< shown before the address (may be empty)
    std::string tls = "required";  ///< STARTTLS: required | try | off
    std::string ca_file;           ///< extra trusted CA (PEM); empty: the system store
    std::string user;              ///< from the environment (smtp_user_env); empty: no AUTH
    std::string password;          ///< from the environment (smtp_password_env)
    long timeout_ms = 10000;
};

/// The RFC 5322 message (CRLF line ends, UTF-8 text/plain, the subject RFC 2047-encoded when it
/// is not ASCII). Pure.
std::string compose_email(const SmtpSettings& settings, const std::string& to,
                          const std::string& subject, const std::string& body,
                          const std::string& message_id, int64_t date_us);

class EmailChannel final : public Channel {
  public:
    /// Calls curl_global_init; INVALID_ARGUMENT for an unusable setting.
    static sdk::Result<std::unique_ptr<EmailChannel>> create(const sdk::Host& host,
                                                             SmtpSettings settings);
    ~EmailChannel() override;
    std::string_view name() const noexcept override { return "email"; }
    Attempt deliver(const Message& message) noexcept override;

  private:
    EmailChannel(const sdk::Host& host, SmtpSettings settings, void* curl)
        : host_(host), settings_(std::move(settings)), curl_(curl) {}
    Attempt send(const Message& message);

    const sdk::Host& host_;
    SmtpSettings settings_;
    std::mutex mutex_;
    void* curl_;  ///< CURL*, reused so that the SMTP connection is too
};

}  // namespace admit::notification
