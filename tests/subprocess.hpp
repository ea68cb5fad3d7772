#pragma once
// A child process for tests: argv, extra environment, stdout and stderr captured through pipes,
// signals, exit status. The child runs in `workdir` so it reads no stray .env.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace glisk::testing {

class Subprocess {
 public:
  Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env, const std::string& workdir);
  ~Subprocess();  // SIGKILLs a child still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Reads lines of stdout (or stderr) until `accept` returns true or `timeout` passes; returns
  // whether a line was accepted. Every line read is kept in all_stdout()/all_stderr().
  bool read_stdout_until(const std::function<bool(const std::string&)>& accept, std::chrono::milliseconds timeout);
  bool read_stderr_until(const std::function<bool(const std::string&)>& accept, std::chrono::milliseconds timeout);

  void signal(int sig);
  // Whether the child is still alive (without waiting; an exit found here is kept for wait()).
  bool running();
  // Waits for the exit; returns the exit code, or 128+signal. Reads the rest of both pipes.
  int wait(std::chrono::milliseconds timeout);

  const std::string& all_stdout() const { return out_; }
  const std::string& all_stderr() const { return err_; }
  pid_t pid() const { return pid_; }

 private:
  bool read_until(int fd, std::string& all, size_t& consumed, const std::function<bool(const std::string&)>& accept,
                  std::chrono::milliseconds timeout);
  void drain();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_, err_;
  size_t out_consumed_ = 0, err_consumed_ = 0;
  bool exited_ = false;
  int exit_status_ = 0;  // waitpid's status, once exited_
};

struct CommandResult {
  int exit_code;  // as Subprocess::wait returns it; -1 on timeout
  std::string out;
  std::string err;
};

// Runs `node <script> <args…>` from the source tree (GLISK_SOURCE_DIR) and waits for it: the
// independent reference implementations the tests compare against.
CommandResult run_node_script(const std::string& script, const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(300'000));

}  // namespace glisk::testing
