#include "journal.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace admit::paysim {

Journal::Journal(const std::string& path) {
    file_ = std::fopen(path.c_str(), "ab");
    if (!file_) {
        throw std::runtime_error(fmt::format("journal {}: {}", path, std::strerror(errno)));
    }
    thread_ = std::thread([this] { run(); });
}

Journal::~Journal() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    std::fclose(file_);
}

void Journal::append(std::string line) {
    bool was_empty;
    {
        std::lock_guard lock(mutex_);
        was_empty = queue_.empty();
        queue_.push_back(std::move(line));
        ++appended_;
    }
    // The writer only sleeps on an empty queue: waking it once per batch saves a futex call
    // per line under load.
    if (was_empty) wake_.notify_one();
}

void Journal::flush() {
    std::unique_lock lock(mutex_);
    uint64_t target = appended_;
    drained_.wait(lock, [&] { return written_ >= target; });
}

uint64_t Journal::lines_written() const {
    std::lock_guard lock(mutex_);
    return written_;
}

void Journal::run() {
    std::deque<std::string> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) return;
            batch.swap(queue_);
        }
        std::string buffer;
        for (auto& line : batch) {
            buffer += line;
            buffer += '\n';
        }
        if (std::fwrite(buffer.data(), 1, buffer.size(), file_) != buffer.size() ||
            std::fflush(file_) != 0) {
            spdlog::error("journal write failed: {}", std::strerror(errno));
        }
        {
            std::lock_guard lock(mutex_);
            written_ += batch.size();
        }
        batch.clear();
        drained_.notify_all();
    }
}

std::size_t Journal::replay(const std::string& path,
                            const std::function<void(const boost::json::object&)>& on_record) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return 0;
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t count = 0;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < content.size()) {
        auto eol = content.find('\n', pos);
        ++line_no;
        if (eol == std::string::npos) {
            spdlog::warn("journal {}: skipping the torn last line {} ({} bytes)", path, line_no,
                         content.size() - pos);
            break;
        }
        std::string_view line(content.data() + pos, eol - pos);
        pos = eol + 1;
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto value = boost::json::parse(line, ec);
        if (ec || !value.is_object()) {
            throw std::runtime_error(
                fmt::format("journal {}:{}: not a JSON object", path, line_no));
        }
        on_record(value.as_object());
        ++count;
    }
    return count;
}

}  // namespace admit::paysim
