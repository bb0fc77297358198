// RFC 3339 UTC text <-> Unix microseconds, the API's one time format. Pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace admit::sdk {

/// "2026-11-21T10:00:00Z"; with `with_millis`, ".250" is appended when the milliseconds are
/// not zero. Sub-second parts are otherwise dropped (rounded towards the past).
inline std::string format_rfc3339(int64_t unix_us, bool with_millis = false) {
    int64_t seconds = unix_us / 1'000'000;
    int64_t micros = unix_us % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        seconds -= 1;
    }
    const auto time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&time, &parts);
    char buffer[96];
    const int millis = with_millis ? static_cast<int>(micros / 1000) : 0;
    if (millis == 0) {
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900,
                      parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    } else {
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                      parts.tm_min, parts.tm_sec, millis);
    }
    return buffer;
}

namespace detail {
inline bool rfc3339_digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}
}  // namespace detail

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]" to Unix microseconds; nullopt for
/// anything else.
inline std::optional<int64_t> parse_rfc3339(std::string_view text) {
    using detail::rfc3339_digits;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!rfc3339_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
        !rfc3339_digits(text, 5, 2, month) || text[7] != '-' || !rfc3339_digits(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't') || !rfc3339_digits(text, 11, 2, hour) ||
        text[13] != ':' || !rfc3339_digits(text, 14, 2, minute) || text[16] != ':' ||
        !rfc3339_digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    std::size_t at = 19;
    int64_t micros = 0;
    if (at < text.size() && text[at] == '.') {
        ++at;
        int64_t scale = 100'000;
        const std::size_t start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            micros += (text[at] - '0') * scale;
            scale /= 10;
            ++at;
        }
        if (at == start) return std::nullopt;
    }
    int64_t offset_seconds = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        int oh = 0, om = 0;
        if (!rfc3339_digits(text, at + 1, 2, oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
            !rfc3339_digits(text, at + 4, 2, om)) {
            return std::nullopt;
        }
        offset_seconds = (text[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != text.size()) return std::nullopt;
    std::tm parts{};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    const int64_t seconds = static_cast<int64_t>(timegm(&parts)) - offset_seconds;
    return seconds * 1'000'000 + micros;
}

}  // namespace admit::sdk
