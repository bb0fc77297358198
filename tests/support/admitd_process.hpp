// AdmitdProcess: runs the real admitd binary as a child process for end-to-end tests.
// The child's stdout and stderr go to a log file the test can read. The destructor kills a
// child that is still running (SIGKILL) and reaps it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace admit::testing {

class AdmitdProcess {
  public:
    // Starts `binary args...` with extra environment entries ("NAME=value").
    AdmitdProcess(const std::string& binary, std::vector<std::string> args,
                  std::vector<std::string> env = {});
    ~AdmitdProcess();
    AdmitdProcess(const AdmitdProcess&) = delete;
    AdmitdProcess& operator=(const AdmitdProcess&) = delete;

    // Waits until the log says admitd is serving and returns its port; nullopt when the process
    // exited first or the timeout passed.
    std::optional<uint16_t> wait_until_serving(
        std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Waits for the exit status; nullopt on timeout. A signal death returns 128 + signal.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    void signal(int sig);
    std::string log() const;
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    std::filesystem::path log_;
    std::optional<int> exit_status_;
};

// Writes a venue file for tests in a fresh temporary folder and returns its path.
std::filesystem::path write_temp_file(const std::string& name, const std::string& content);

// Runs `binary args...` to completion; returns exit status and combined output.
struct CommandResult {
    int status = -1;
    std::string output;
};
CommandResult run_command(const std::string& binary, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace admit::testing
