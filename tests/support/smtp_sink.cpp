#include "tests/support/smtp_sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace admit::testing {

namespace {
std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

SmtpSink::SmtpSink(const Options& options) {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("admit-smtp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir_);
    std::vector<std::string> args = {ADMIT_TEST_SOURCE_DIR "/tests/support/smtp_sink.py", "--dir",
                                     dir_.string()};
    if (!options.cert_file.empty())
        args.insert(args.end(), {"--cert", options.cert_file, "--key", options.key_file});
    if (!options.login.empty())
        args.insert(args.end(), {"--auth", options.login + ":" + options.password});
    process_ = std::make_unique<AdmitdProcess>("/usr/bin/python3", args);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(dir_ / "port")) {
            port_ = static_cast<uint16_t>(std::stoi(read_text(dir_ / "port")));
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

SmtpSink::~SmtpSink() {
    process_.reset();  // stops the server (SIGKILL) and reaps it
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::vector<boost::json::object> SmtpSink::messages() const {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("msg-") && entry.path().extension() == ".json")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<boost::json::object> messages;
    for (const auto& file : files) {
        boost::system::error_code parse_error;
        auto value = boost::json::parse(read_text(file), parse_error);
        if (!parse_error && value.is_object()) messages.push_back(std::move(value.as_object()));
    }
    return messages;
}

}  // namespace admit::testing
