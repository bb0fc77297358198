#include "scan_journal.hpp"

#include <admit/sdk/time_text.hpp>

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace admit::ticket::gate {
namespace {

std::string system_error(std::string_view what) {
    return std::string(what) + ": " + std::strerror(errno);
}

boost::json::object record_json(const ScanRecord& record) {
    return {{"nonce", record.nonce},
            {"at", sdk::format_rfc3339(record.at * 1'000'000)},
            {"gate", record.gate},
            {"ticketId", record.ticket_id},
            {"scheduleId", record.schedule_id},
            {"admitted", record.admitted},
            {"reason", record.reason.empty() ? boost::json::value(nullptr)
                                             : boost::json::value(record.reason)},
            {"code", record.code}};
}

std::optional<ScanRecord> parse_record(std::string_view line) {
    boost::system::error_code error;
    const auto json = boost::json::parse(line, error);
    if (error || !json.is_object()) return std::nullopt;
    const auto& object = json.get_object();
    const auto text = [&](std::string_view name) {
        const auto* value = object.if_contains(name);
        return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                      : std::string();
    };
    const auto* admitted = object.if_contains("admitted");
    const auto at = sdk::parse_rfc3339(text("at"));
    if (admitted == nullptr || !admitted->is_bool() || !at) return std::nullopt;
    return ScanRecord{text("nonce"),      *at / 1'000'000,      text("gate"),   text("ticketId"),
                      text("scheduleId"), admitted->get_bool(), text("reason"), text("code")};
}

/// Calls visit(line) for each line of `content` until it returns false.
template <class Visit>
void for_each_line(std::string_view content, Visit&& visit) {
    while (!content.empty()) {
        const auto end = content.find('\n');
        if (!visit(content.substr(0, end))) return;
        content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
    }
}

}  // namespace

sdk::Result<ScanJournal> ScanJournal::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return sdk::Error::invalid(system_error("cannot open scan journal " + path));
    if (flock(fd, LOCK_EX) != 0) {
        const auto message = system_error("cannot lock scan journal " + path);
        ::close(fd);
        return sdk::Error::internal(message);
    }
    return ScanJournal(fd);
}

ScanJournal::ScanJournal(ScanJournal&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

ScanJournal::~ScanJournal() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

sdk::Result<std::string> ScanJournal::read_all() const {
    std::string content;
    char buffer[65536];
    off_t offset = 0;
    for (;;) {
        const ssize_t got = ::pread(fd_, buffer, sizeof buffer, offset);
        if (got < 0) {
            if (errno == EINTR) continue;
            return sdk::Error::internal(system_error("cannot read scan journal"));
        }
        if (got == 0) break;
        content.append(buffer, static_cast<std::size_t>(got));
        offset += got;
    }
    return content;
}

sdk::Result<std::optional<ScanRecord>> ScanJournal::admitted_before(
    const std::string& ticket_id) const {
    auto content = read_all();
    if (!content) return std::move(content).error();
    std::optional<ScanRecord> found;
    for_each_line(*content, [&](std::string_view line) {
        // Cheap filter first: only lines naming the ticket are parsed.
        if (line.find(ticket_id) == std::string_view::npos) return true;
        auto record = parse_record(line);
        if (record && record->admitted && record->ticket_id == ticket_id) found = std::move(record);
        return true;  // the latest admission counts (ONCE_PER_DAY compares its day)
    });
    return found;
}

sdk::Result<std::size_t> ScanJournal::count() const {
    auto content = read_all();
    if (!content) return std::move(content).error();
    std::size_t records = 0;
    for_each_line(*content, [&](std::string_view line) {
        if (parse_record(line)) ++records;
        return true;
    });
    return records;
}

sdk::Result<std::vector<boost::json::object>> ScanJournal::records() const {
    auto content = read_all();
    if (!content) return std::move(content).error();
    std::vector<boost::json::object> lines;
    for_each_line(*content, [&](std::string_view line) {
        if (auto record = parse_record(line)) lines.push_back(record_json(*record));
        return true;
    });
    return lines;
}

sdk::Status ScanJournal::append(const ScanRecord& record) {
    const std::string line = boost::json::serialize(record_json(record)) + "\n";
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t put = ::write(fd_, line.data() + written, line.size() - written);
        if (put < 0) {
            if (errno == EINTR) continue;
            return sdk::Error::internal(system_error("cannot write scan journal"));
        }
        written += static_cast<std::size_t>(put);
    }
    if (::fdatasync(fd_) != 0)
        return sdk::Error::internal(system_error("cannot sync scan journal"));
    return {};
}

std::string ScanJournal::new_nonce() {
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return std::string(hex, sizeof hex - 1);
}

}  // namespace admit::ticket::gate
