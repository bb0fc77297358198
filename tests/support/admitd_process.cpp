#include "admitd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace admit::testing {
namespace {

std::filesystem::path unique_temp(const std::string& stem) {
    static int counter = 0;
    return std::filesystem::temp_directory_path() /
           (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
}

pid_t spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const std::filesystem::path& log) {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    // A test that crashes must not leave its admitd running (holding ports and databases).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    // admitd blocks its signals itself; start it with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
}

std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

AdmitdProcess::AdmitdProcess(const std::string& binary, std::vector<std::string> args,
                             std::vector<std::string> env)
    : log_(unique_temp("admitd-log")) {
    pid_ = spawn(binary, args, env, log_);
}

AdmitdProcess::~AdmitdProcess() {
    if (pid_ > 0 && !exit_status_) {
        ::kill(pid_, SIGKILL);
        wait_for(pid_, std::chrono::seconds(10));
    }
    std::error_code ec;
    std::filesystem::remove(log_, ec);
}

std::optional<uint16_t> AdmitdProcess::wait_until_serving(std::chrono::milliseconds timeout) {
    static const std::regex serving(R"(on http://[0-9.]+:([0-9]+))");
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch m;
        auto text = log();
        if (std::regex_search(text, m, serving)) return static_cast<uint16_t>(std::stoi(m[1]));
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
}

std::optional<int> AdmitdProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_status_) return exit_status_;
    exit_status_ = wait_for(pid_, timeout);
    return exit_status_;
}

void AdmitdProcess::signal(int sig) { ::kill(pid_, sig); }

std::string AdmitdProcess::log() const { return read_file(log_); }

std::filesystem::path write_temp_file(const std::string& name, const std::string& content) {
    auto dir = unique_temp("admit-test");
    // The name is unique among live processes only: a test process of an earlier run that had the
    // same pid left its files here (a simulator's journal with the same order ids failed
    // PaySimJournal once). Start from an empty folder.
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path) << content;
    return path;
}

CommandResult run_command(const std::string& binary, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout) {
    auto log = unique_temp("admit-cmd");
    pid_t pid = spawn(binary, args, {}, log);
    CommandResult r;
    auto status = wait_for(pid, timeout);
    if (!status) {
        ::kill(pid, SIGKILL);
        wait_for(pid, std::chrono::seconds(5));
    }
    r.status = status.value_or(-1);
    r.output = read_file(log);
    std::filesystem::remove(log);
    return r;
}

}  // namespace admit::testing
