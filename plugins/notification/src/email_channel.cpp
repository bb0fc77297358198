#include "email_channel.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

namespace admit::notification {

namespace {

bool is_ascii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\r' || c == '\n') return false;
    return true;
}

/// RFC 2047 encoded word for a header value that is not plain ASCII.
std::string header_text(const std::string& text) {
    if (is_ascii(text)) return text;
    std::vector<char> encoded(
        sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL));
    sodium_bin2base64(encoded.data(), encoded.size(),
                      reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    return "=?UTF-8?B?" + std::string(encoded.data()) + "?=";
}

/// The body with every line ending as CRLF.
std::string crlf_lines(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') continue;
        if (text[i] == '\n') out += '\r';
        out += text[i];
    }
    return out;
}

std::string rfc5322_date(int64_t us) {
    const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

/// Feeds a string to libcurl's upload.
struct Upload {
    const std::string* text;
    std::size_t offset = 0;
    static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* ctx) {
        auto* self = static_cast<Upload*>(ctx);
        const std::size_t room = size * count;
        const std::size_t left = self->text->size() - self->offset;
        const std::size_t n = left < room ? left : room;
        std::memcpy(buffer, self->text->data() + self->offset, n);
        self->offset += n;
        return n;
    }
};

struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

}  // namespace

std::string compose_email(const SmtpSettings& settings, const std::string& to,
                          const std::string& subject, const std::string& body,
                          const std::string& message_id, int64_t date_us) {
    const std::string from = settings.from_name.empty()
                                 ? settings.from
                                 : header_text(settings.from_name) + " <" + settings.from + ">";
    std::string message;
    message += "From: " + from + "\r\n";
    message += "To: <" + to + ">\r\n";
    message += "Subject: " + header_text(subject) + "\r\n";
    message += "Date: " + rfc5322_date(date_us) + "\r\n";
    message += "Message-ID: <" + message_id + "@admit>\r\n";
    message += "MIME-Version: 1.0\r\n";
    message += "Content-Type: text/plain; charset=utf-8\r\n";
    message += "Content-Transfer-Encoding: 8bit\r\n\r\n";
    message += crlf_lines(body);
    return message;
}

sdk::Result<std::unique_ptr<EmailChannel>> EmailChannel::create(const sdk::Host& host,
                                                                SmtpSettings settings) {
    if (!settings.url.starts_with("smtp://") && !settings.url.starts_with("smtps://"))
        return sdk::Error::invalid("notification: smtp_url must start with smtp:// or smtps://");
    if (settings.from.empty() || settings.from.find('@') == std::string::npos ||
        !is_ascii(settings.from))
        return sdk::Error::invalid("notification: email_from must be an e-mail address");
    if (settings.tls != "required" && settings.tls != "try" && settings.tls != "off")
        return sdk::Error::invalid("notification: smtp_tls must be required, try or off");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return sdk::Error::internal("notification: libcurl failed to initialise");
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return sdk::Error::internal("notification: curl_easy_init failed");
    return std::unique_ptr<EmailChannel>(new EmailChannel(host, std::move(settings), curl));
}

EmailChannel::~EmailChannel() {
    curl_easy_cleanup(static_cast<CURL*>(curl_));
    curl_global_cleanup();
}

Attempt EmailChannel::deliver(const Message& message) noexcept {
    try {
        std::lock_guard lock(mutex_);
        return send(message);
    } catch (const std::exception& e) {
        return {.error = std::string("e-mail delivery threw: ") + e.what()};
    }
}

Attempt EmailChannel::send(const Message& message) {
    if (!message.subject || !message.body)
        return {.permanent = true, .error = "the message has no rendered text"};
    auto user = host_.call("auth.user", boost::json::object{{"userId", message.recipient}});
    if (!user) {
        return {.permanent = user.error().is_not_found(),
                .error = "auth.user: " + user.error().message};
    }
    const auto* email = user->is_object() ? user->as_object().if_contains("email") : nullptr;
    if (email == nullptr || !email->is_string() || email->as_string().empty())
        return {.permanent = true, .error = "the recipient has no e-mail address"};
    const std::string to(email->as_string());

    const std::string text =
        compose_email(settings_, to, *message.subject, *message.body, message.id, host_.now_us());
    Upload upload{&text};
    std::unique_ptr<curl_slist, SlistDeleter> recipients(curl_slist_append(nullptr, to.c_str()));
    const std::string envelope_from = "<" + settings_.from + ">";

    CURL* curl = static_cast<CURL*>(curl_);
    curl_easy_reset(curl);  // keeps the connection cache: the SMTP session is reused
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &Upload::read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     settings_.tls == "required" ? CURLUSESSL_ALL
                     : settings_.tls == "try"    ? CURLUSESSL_TRY
                                                 : CURLUSESSL_NONE);
    if (!settings_.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.user.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);

    const auto started = std::chrono::steady_clock::now();
    const CURLcode result = curl_easy_perform(curl);
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    long smtp_code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &smtp_code);
    Attempt attempt{.http_status = smtp_code == 0 ? std::optional<int64_t>() : smtp_code,
                    .latency_ms = latency};
    if (result == CURLE_OK) {
        attempt.delivered = true;
        return attempt;
    }
    attempt.error = std::string("SMTP: ") + curl_easy_strerror(result) +
                    (smtp_code != 0 ? " (server said " + std::to_string(smtp_code) + ")" : "");
    // A 5xx about the recipient or the message will not change on a retry; authentication and
    // TLS problems (535, 530) are the venue's to fix, so those are retried.
    attempt.permanent = smtp_code >= 500 && smtp_code != 530 && smtp_code != 535;
    return attempt;
}

}  // namespace admit::notification
