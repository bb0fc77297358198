#include "host/config/redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace admit::config {
namespace {

constexpr std::string_view kMask = "***";

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

// Masks the value of every secret-named parameter in "a=1&password=x".
std::string redact_query(std::string_view query) {
    std::string result;
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const std::string_view parameter = query.substr(start, end - start);
        const std::size_t equals = parameter.find('=');
        if (equals != std::string_view::npos && is_secret_key(parameter.substr(0, equals))) {
            result += std::string(parameter.substr(0, equals + 1)) + std::string(kMask);
        } else {
            result += parameter;
        }
        if (end == query.size()) break;
        result += '&';
        start = end + 1;
    }
    return result;
}

}  // namespace

bool is_secret_key(std::string_view key) {
    static constexpr std::array<std::string_view, 8> kSecretWords = {
        "password", "passwd", "secret", "token", "credential", "api_key", "apikey", "private_key"};
    const std::string name = lower(key);
    return std::any_of(kSecretWords.begin(), kSecretWords.end(), [&name](std::string_view word) {
        return name.find(word) != std::string::npos;
    });
}

std::string redact_url(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::string(url);
    const std::size_t authority_start = scheme_end + 3;
    std::size_t authority_end = url.find_first_of("/?#", authority_start);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    const std::string_view authority = url.substr(authority_start, authority_end - authority_start);

    std::string result(url.substr(0, authority_start));
    const std::size_t at = authority.rfind('@');
    const std::size_t colon =
        at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
    if (colon != std::string_view::npos) {
        result += std::string(authority.substr(0, colon + 1)) + std::string(kMask) +
                  std::string(authority.substr(at));
    } else {
        result += authority;
    }

    std::string_view rest = url.substr(authority_end);
    const std::size_t question = rest.find('?');
    if (question == std::string_view::npos) return result + std::string(rest);
    const std::size_t hash = rest.find('#', question);
    const std::string_view query =
        rest.substr(question + 1,
                    hash == std::string_view::npos ? std::string_view::npos : hash - question - 1);
    result += std::string(rest.substr(0, question + 1)) + redact_query(query);
    if (hash != std::string_view::npos) result += rest.substr(hash);
    return result;
}

}  // namespace admit::config
