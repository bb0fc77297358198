#include "host/observe/logging.hpp"

#include <cctype>
#include <chrono>
#include <ctime>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace admit::observe {
namespace {

// Views into the LogField objects alive on this thread (RAII keeps them valid).
thread_local std::vector<std::pair<std::string_view, std::string_view>> t_fields;

enum class LineFormat { text, json };

void append_timestamp(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time) {
    auto since_epoch = time.time_since_epoch();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                   utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                   utc.tm_sec, millis);
}

void append(spdlog::memory_buf_t& dest, std::string_view text) {
    dest.append(text.data(), text.data() + text.size());
}

bool needs_text_escape(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '\\';
}

// Appends text with control characters escaped (\n, \r, \t, \xNN) and backslashes doubled, so
// one record is always one line: a newline in a logged request path cannot forge a new line.
void append_text_escaped(spdlog::memory_buf_t& dest, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t plain = 0;
    while (plain < text.size() && !needs_text_escape(text[plain])) ++plain;
    append(dest, text.substr(0, plain));
    for (std::size_t i = plain; i < text.size(); ++i) {
        const char c = text[i];
        if (!needs_text_escape(c)) {
            dest.push_back(c);
            continue;
        }
        dest.push_back('\\');
        switch (c) {
            case '\n':
                dest.push_back('n');
                break;
            case '\r':
                dest.push_back('r');
                break;
            case '\t':
                dest.push_back('t');
                break;
            case '\\':
                dest.push_back('\\');
                break;
            default: {
                const auto u = static_cast<unsigned char>(c);
                dest.push_back('x');
                dest.push_back(kHex[u >> 4]);
                dest.push_back(kHex[u & 0xf]);
            }
        }
    }
}

class LineFormatter final : public spdlog::formatter {
  public:
    explicit LineFormatter(LineFormat format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        auto level = spdlog::level::to_string_view(msg.level);
        std::string_view payload(msg.payload.data(), msg.payload.size());
        if (format_ == LineFormat::text) {
            append_timestamp(dest, msg.time);
            dest.push_back(' ');
            for (char c : std::string_view(level.data(), level.size()))
                dest.push_back(static_cast<char>(std::toupper(c)));
            dest.push_back(' ');
            append_text_escaped(dest, payload);
            for (const auto& [key, value] : t_fields) {
                dest.push_back(' ');
                append_text_escaped(dest, key);
                dest.push_back('=');
                append_text_escaped(dest, value);
            }
            dest.push_back('\n');
            return;
        }
        std::string line = "{\"ts\":\"";
        dest.append(line.data(), line.data() + line.size());
        append_timestamp(dest, msg.time);
        line = "\",\"level\":\"";
        line.append(level.data(), level.size());
        line += "\",\"msg\":\"";
        append_json_escaped(line, payload);
        line += '"';
        for (const auto& [key, value] : t_fields) {
            line += ",\"";
            append_json_escaped(line, key);
            line += "\":\"";
            append_json_escaped(line, value);
            line += '"';
        }
        line += "}\n";
        append(dest, line);
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<LineFormatter>(format_);
    }

  private:
    LineFormat format_;
};

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                else
                    out += c;
        }
    }
}

Status configure_logging(std::string_view level, std::string_view format) {
    static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                   "error", "critical", "off"};
    int level_index = -1;
    for (int i = 0; i < 7; ++i) {
        if (kLevels[i] == level) level_index = i;
    }
    if (level_index < 0) {
        return Error{ErrorCode::LOG_INVALID_LEVEL,
                     "unknown log level '" + std::string(level) +
                         "' (trace, debug, info, warn, error, critical, off)"};
    }
    LineFormat line_format;
    if (format == "text")
        line_format = LineFormat::text;
    else if (format == "json")
        line_format = LineFormat::json;
    else
        return Error{ErrorCode::LOG_INVALID_FORMAT,
                     "unknown log format '" + std::string(format) + "' (text, json)"};

    auto logger = std::make_shared<spdlog::logger>(
        "admit", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::make_unique<LineFormatter>(line_format));
    logger->set_level(static_cast<spdlog::level::level_enum>(level_index));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    return {};
}

LogField::LogField(std::string_view key, std::string_view value) {
    t_fields.emplace_back(key, value);
}

LogField::~LogField() { t_fields.pop_back(); }

std::string_view log_field(std::string_view key) {
    for (auto it = t_fields.rbegin(); it != t_fields.rend(); ++it) {
        if (it->first == key) return it->second;
    }
    return {};
}

}  // namespace admit::observe
