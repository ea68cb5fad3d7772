#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace glisk::testing {

Subprocess::Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env,
                       const std::string& workdir) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (auto& s : argv) args.push_back(s.data());
  args.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(err[0]);
    close(out[1]);
    close(err[1]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (chdir(workdir.c_str()) != 0) _exit(126);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Subprocess::~Subprocess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool Subprocess::read_until(int fd, std::string& all, size_t& consumed,
                            const std::function<bool(const std::string&)>& accept, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Offer every complete line not yet offered.
    for (size_t nl = all.find('\n', consumed); nl != std::string::npos; nl = all.find('\n', consumed)) {
      std::string line = all.substr(consumed, nl - consumed);
      consumed = nl + 1;
      if (accept(line)) return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;  // closed: the child exited
    all.append(buf, static_cast<size_t>(n));
  }
}

bool Subprocess::read_stdout_until(const std::function<bool(const std::string&)>& accept,
                                   std::chrono::milliseconds timeout) {
  return read_until(out_fd_, out_, out_consumed_, accept, timeout);
}
bool Subprocess::read_stderr_until(const std::function<bool(const std::string&)>& accept,
                                   std::chrono::milliseconds timeout) {
  return read_until(err_fd_, err_, err_consumed_, accept, timeout);
}

void Subprocess::signal(int sig) { kill(pid_, sig); }

bool Subprocess::running() {
  if (exited_) return false;
  if (waitpid(pid_, &exit_status_, WNOHANG) != pid_) return true;
  exited_ = true;
  return false;
}

void Subprocess::drain() {
  for (int fd : {out_fd_, err_fd_}) {
    std::string& all = fd == out_fd_ ? out_ : err_;
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  }
}

int Subprocess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = exit_status_;
  while (!exited_) {
    drain();
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      exited_ = true;
      drain();
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  exit_status_ = status;
  exited_ = true;
  drain();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

CommandResult run_node_script(const std::string& script, const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {"/usr/bin/env", "node", script};
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess node(argv, {}, GLISK_SOURCE_DIR);
  const int code = node.wait(timeout);
  return {code, node.all_stdout(), node.all_stderr()};
}

}  // namespace glisk::testing
